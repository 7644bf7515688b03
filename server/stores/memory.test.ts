// What only the memory store has: its bound. Limiter state (rate-limit windows, cached lookups, list
// entries, counter keys) can fill at most maxEntries - reservedForPins; a full store forgets what has
// expired, then cached lookups, and otherwise refuses the new key. It never evicts a live window (a
// fresh budget for an attacker), a list entry or a counter, nor a PIN record or its links.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../core/errors.js'
import { makePinRecord } from '../../test/stores/conformance.js'
import { fakeClock } from '../../test/helpers/clock.js'
import { memoryStore } from './memory.js'

const MINUTE = 60_000

/** A store of 8 entries, 2 of them kept for PINs, with `windows` live windows of a minute. */
async function storeWithWindows(windows: number) {
  const clock = fakeClock()
  const store = memoryStore({ maxEntries: 8, reservedForPins: 2, clock: clock.now })
  for (let i = 0; i < windows; i++) await store.hit(`ip:${i}`, 5, MINUTE, clock.now())
  return { store, clock }
}

describe('memory store bounds', () => {
  it('refuses the 7th live window of a store of 8 with 2 kept for PINs, and keeps the 6 it holds as they were', async () => {
    const { store, clock } = await storeWithWindows(6)
    await expect(store.hit('ip:new', 5, MINUTE, clock.now())).rejects.toThrow(StoreError)
    await expect(store.hit('ip:new', 5, MINUTE, clock.now())).rejects.toThrow(/6 of 8 entries/)
    expect(store.size).toBe(6)
    for (let i = 0; i < 6; i++) {
      expect(await store.hit(`ip:${i}`, 5, MINUTE, clock.now(), 0)).toMatchObject({ count: 1 })
    }
  })

  it('hitAll with no room for its third window throws and gives back the two it took, leaving the store as it was', async () => {
    const { store, clock } = await storeWithWindows(5)
    const hits = ['ip:0', 'ip:new', 'ip:other'].map((key) => ({ key, limit: 5, windowMs: MINUTE }))
    await expect(store.hitAll!(hits, clock.now())).rejects.toThrow(StoreError)
    expect(store.size).toBe(5)
    expect(await store.hit('ip:0', 5, MINUTE, clock.now(), 0)).toMatchObject({ count: 1 })
  })

  it('a flood of new windows stops at its cap of 6 and blocks no PIN: a record and its message link still fit', async () => {
    const { store, clock } = await storeWithWindows(6)
    for (let i = 0; i < 20; i++) {
      await expect(store.hit(`flood:${i}`, 5, MINUTE, clock.now())).rejects.toThrow(StoreError)
    }
    const record = makePinRecord(clock.now(), { messageIds: ['message-1'] })
    await store.createPin(record)
    expect(await store.getPin(record.pinId)).toMatchObject({ pinId: record.pinId })
    expect(await store.findPinIdByMessageId('message-1')).toBe(record.pinId)
    expect(store.size).toBe(8)
    // Full: the next PIN is refused; no window and no PIN was evicted for it.
    await expect(store.createPin(makePinRecord(clock.now()))).rejects.toThrow(StoreError)
    expect(await store.getPin(record.pinId)).not.toBeNull()
    expect(await store.hit('ip:0', 5, MINUTE, clock.now(), 0)).toMatchObject({ count: 1 })
  })

  it('PINs may use every entry; a new window is then refused, never a PIN evicted for it', async () => {
    const clock = fakeClock()
    const store = memoryStore({ maxEntries: 4, reservedForPins: 1, clock: clock.now })
    const records = Array.from({ length: 4 }, () => makePinRecord(clock.now()))
    for (const record of records) await store.createPin(record)
    await expect(store.hit('ip:1', 5, MINUTE, clock.now())).rejects.toThrow(StoreError)
    for (const record of records) expect(await store.getPin(record.pinId)).not.toBeNull()
  })

  it('forgets windows past their retention before refusing a new one', async () => {
    const { store, clock } = await storeWithWindows(6)
    clock.advance(MINUTE)
    expect(await store.hit('ip:new', 5, MINUTE, clock.now())).toMatchObject({ allowed: true, count: 1 })
    expect(store.size).toBe(1)
  })

  it('a window given back to zero frees its entry for a new one at once', async () => {
    const { store, clock } = await storeWithWindows(6)
    await store.hit('ip:0', 5, MINUTE, clock.now(), -1)
    expect(store.size).toBe(5)
    expect(await store.hit('ip:new', 5, MINUTE, clock.now())).toMatchObject({ allowed: true, count: 1 })
  })

  it('drops the oldest cached lookups, never a live window, to make room for a new window', async () => {
    const { store, clock } = await storeWithWindows(4)
    await store.setCached('lookup:a', 'A', MINUTE, clock.now())
    await store.setCached('lookup:b', 'B', MINUTE, clock.now())
    expect(await store.hit('ip:new', 5, MINUTE, clock.now())).toMatchObject({ allowed: true, count: 1 })
    expect(await store.getCached('lookup:a', clock.now())).toBeNull()
    expect(await store.getCached('lookup:b', clock.now())).toBe('B')
    for (let i = 0; i < 4; i++) {
      expect(await store.hit(`ip:${i}`, 5, MINUTE, clock.now(), 0)).toMatchObject({ count: 1 })
    }
  })

  it('list entries and counter keys count as limiter state: with 4 windows, 1 entry and 1 counter key, the next of either is refused and a PIN still fits', async () => {
    const { store, clock } = await storeWithWindows(4)
    await store.putListEntry('blocks', 'network:21910', '{}', null, clock.now())
    await store.addCounters([{ key: 'stats:1', fields: { sent: 1 }, ttlMs: MINUTE }], clock.now())
    await expect(store.putListEntry('blocks', 'network:21901', '{}', null, clock.now())).rejects.toThrow(
      /6 of 8 entries/,
    )
    const newKey = [{ key: 'stats:2', fields: { sent: 1 }, ttlMs: MINUTE }]
    await expect(store.addCounters(newKey, clock.now())).rejects.toThrow(StoreError)
    await store.createPin(makePinRecord(clock.now()))
    expect(store.size).toBe(7)
    expect(await store.listEntries('blocks', clock.now())).toStrictEqual([
      { id: 'network:21910', value: '{}', expiresAt: null },
    ])
    expect(await store.readCounters(['stats:1', 'stats:2'], clock.now())).toStrictEqual([{ sent: 1 }, {}])
  })

  it("forgets a counter key by the store's clock ttlMs after its first addition, and a list entry by the store's clock once its expiresAt has passed", async () => {
    const { store, clock } = await storeWithWindows(0)
    await store.putListEntry('blocks', 'a', '{}', clock.now() + MINUTE, clock.now())
    await store.addCounters([{ key: 'stats:1', fields: { sent: 1 }, ttlMs: MINUTE }], clock.now())
    expect(store.size).toBe(2)
    clock.advance(MINUTE)
    expect(await store.readCounters(['stats:1'], clock.now())).toStrictEqual([{}])
    expect(await store.listEntries('blocks', clock.now())).toStrictEqual([])
    expect(store.size).toBe(0)
  })

  it('a list entry rewritten 10 times holds one entry, and a rewritten cached lookup counts as the newest when room is made', async () => {
    const { store, clock } = await storeWithWindows(3)
    for (let i = 0; i < 10; i++) await store.putListEntry('blocks', 'a', `{"n":${i}}`, null, clock.now())
    await store.setCached('lookup:a', 'A', MINUTE, clock.now())
    await store.setCached('lookup:b', 'B', MINUTE, clock.now())
    await store.setCached('lookup:a', 'A2', MINUTE, clock.now())
    expect(store.size).toBe(6)
    expect(await store.hit('ip:new', 5, MINUTE, clock.now())).toMatchObject({ allowed: true, count: 1 })
    expect(await store.getCached('lookup:b', clock.now())).toBeNull()
    expect(await store.getCached('lookup:a', clock.now())).toBe('A2')
    expect(await store.listEntries('blocks', clock.now())).toStrictEqual([
      { id: 'a', value: '{"n":9}', expiresAt: null },
    ])
    expect(store.size).toBe(6)
  })

  it('a list entry rewritten with an earlier end is forgotten by the next sweep after that end', async () => {
    const { store, clock } = await storeWithWindows(0)
    await store.putListEntry('blocks', 'a', '{}', clock.now() + 60 * MINUTE, clock.now())
    await store.putListEntry('blocks', 'a', '{}', clock.now() + MINUTE, clock.now())
    clock.advance(2 * MINUTE)
    await store.putListEntry('blocks', 'b', '{}', null, clock.now())
    expect(store.size).toBe(1)
  })

  it('refuses a reserve that leaves no room, naming the option', () => {
    expect(() => memoryStore({ maxEntries: 10, reservedForPins: 10 })).toThrow(
      /"reservedForPins".*0 to maxEntries - 1 \(9\)/,
    )
    expect(() => memoryStore({ maxEntries: 10, reservedForPins: -1 })).toThrow(/"reservedForPins"/)
    expect(() => memoryStore({ maxEntries: 10, reservedForPins: 1.5 })).toThrow(/"reservedForPins"/)
  })
})
