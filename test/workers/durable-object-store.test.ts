/**
 * What only the Durable Object store has, inside real workerd (the shared conformance suite runs in
 * store-conformance.test.ts): one object per key, alarms that forget, and errors from an object
 * surfacing as StoreError with nothing counted twice.
 */
import { env } from 'cloudflare:workers'
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { durableObjectStore, PIN_SHARDS, pinShardName } from '../../server/stores/durable-object.js'
import { TwoFactorDurableObject } from '../../server/stores/durable-object-class.js'
import { makePinRecord } from '../stores/conformance.js'

const namespace = env.TWO_FACTOR_STORE
const objectFor = (name: string) => namespace.get(namespace.idFromName(name))

describe('durable object store specifics', () => {
  it('refuses a missing namespace at construction, saying which binding to add', () => {
    expect(() => durableObjectStore({} as never)).toThrow(/durable_objects\.bindings/)
  })

  // A check-and-act with an await inside would let another request into the object in between.
  it('runs every check-and-act synchronously: no method of the object is async', () => {
    const methods = [
      'createPin',
      'consumeAttempt',
      'markVerified',
      'updatePin',
      'linkMessage',
      'hit',
      'hitAll',
      'addCounters',
      'setCached',
    ] as const
    for (const name of methods) {
      expect(TwoFactorDurableObject.prototype[name].constructor.name, name).toBe('Function')
    }
  })

  it('keeps a PIN as a row of its shard, one of PIN_SHARDS objects, kept for its retention with the sweep scheduled', async () => {
    const store = durableObjectStore({ namespace })
    const record = makePinRecord(Date.now())
    await store.createPin(record)
    const { rows, alarm } = await runInDurableObject(
      objectFor(pinShardName(record.pinId)),
      async (_, state) => ({
        rows: state.storage.sql
          .exec<{ forget_at: number }>('SELECT forget_at FROM pins WHERE pin_id = ?', record.pinId)
          .toArray(),
        alarm: await state.storage.getAlarm(),
      }),
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]!.forget_at - Date.now()).toBeLessThanOrEqual(record.retainUntil - record.createdAt)
    expect(rows[0]!.forget_at - Date.now()).toBeGreaterThan(record.retainUntil - record.createdAt - 60_000)
    expect(alarm).not.toBeNull()
    expect(alarm!).toBeLessThanOrEqual(rows[0]!.forget_at + 60_000)
    const shards = new Set(Array.from({ length: 1_000 }, () => pinShardName(makePinRecord(0).pinId)))
    expect(shards.size).toBe(PIN_SHARDS)
  })

  it('sweeps out a PIN once past its retention, and only then', async () => {
    const store = durableObjectStore({ namespace })
    const now = Date.now()
    const [kept, stale] = [makePinRecord(now), makePinRecord(now)]
    await store.createPin(kept)
    await store.createPin(stale)
    await runInDurableObject(objectFor(pinShardName(stale.pinId)), (_, state) => {
      state.storage.sql.exec('UPDATE pins SET forget_at = ? WHERE pin_id = ?', Date.now() - 1, stale.pinId)
    })
    for (const { pinId } of [kept, stale]) {
      await runInDurableObject(objectFor(pinShardName(pinId)), (instance) => instance.alarm())
    }
    const left = async (pinId: string) =>
      runInDurableObject(
        objectFor(pinShardName(pinId)),
        (_, state) => state.storage.sql.exec('SELECT 1 FROM pins WHERE pin_id = ?', pinId).toArray().length,
      )
    expect([await left(kept.pinId), await left(stale.pinId)]).toStrictEqual([1, 0])
    expect(await store.getPin(kept.pinId)).toStrictEqual(kept)
    expect(await store.getPin(stale.pinId)).toBeNull()
  })

  it('keeps windows, counters, list entries and message links in the shared objects; their alarm sweeps out the rows past their time and keeps the rest', async () => {
    const store = durableObjectStore({ namespace })
    const now = Date.now()
    const [stale, live] = [`sweep:${crypto.randomUUID()}`, `sweep:${crypto.randomUUID()}`]
    const hits = [stale, live].map((key) => ({ key, limit: 5, windowMs: 60_000 }))
    await store.hitAll!(hits, now)
    await store.addCounters(
      [stale, live].map((key) => ({ key, fields: { sent: 1 }, ttlMs: 60_000 })),
      now,
    )
    for (const id of [stale, live]) await store.putListEntry('sweep', id, id, now + 60_000, now)
    const record = makePinRecord(now, { messageIds: [stale, live] })
    await store.createPin(record)

    const tables = [
      ['limits', 'windows', 'key'],
      ['counters', 'counters', 'key'],
      ['lists', 'entries', 'id'],
      ['links', 'links', 'message_id'],
    ] as const
    for (const [name, table, column] of tables) {
      const rows = (state: DurableObjectState) =>
        state.storage.sql
          .exec<Record<string, string>>(
            `SELECT ${column} FROM ${table} WHERE ${column} IN (?, ?)`,
            stale,
            live,
          )
          .toArray()
          .map((row) => row[column])
      // The stale row reaches its end on the object's clock; the alarm runs.
      const { before, after, alarm } = await runInDurableObject(objectFor(name), async (instance, state) => {
        state.storage.sql.exec(`UPDATE ${table} SET forget_at = ? WHERE ${column} = ?`, Date.now() - 1, stale)
        const before = rows(state).sort()
        instance.alarm()
        return { before, after: rows(state), alarm: await state.storage.getAlarm() }
      })
      expect(before, table).toStrictEqual([stale, live].sort())
      expect(after, table).toStrictEqual([live])
      // Re-armed for the rows left: a sweep interval after the earliest one's end at the latest.
      expect(alarm, table).toBeGreaterThan(Date.now())
      expect(alarm, table).toBeLessThanOrEqual(Date.now() + record.retainUntil - now + 60_000 + 1_000)
    }
    expect(await store.hit(live, 5, 60_000, now, 0)).toMatchObject({ count: 1 })
    expect(await store.hit(stale, 5, 60_000, now, 0)).toMatchObject({ count: 0 })
    expect(await store.readCounters([stale, live], now)).toStrictEqual([{}, { sent: 1 }])
    expect(await store.getListEntries('sweep', [stale, live], now)).toStrictEqual([null, live])
    expect(await store.findPinIdByMessageId(stale)).toBeNull()
    expect(await store.findPinIdByMessageId(live)).toBe(record.pinId)
  })

  it('answers list reads made together, which go to the lists object as one call, each with its own values', async () => {
    const store = durableObjectStore({ namespace })
    const now = Date.now()
    const [a, b] = [`batch:${crypto.randomUUID()}`, `batch:${crypto.randomUUID()}`]
    await store.putListEntry(a, 'x', 'a-x', null, now)
    await store.putListEntry(b, 'x', 'b-x', null, now)
    await store.putListEntry(b, 'y', 'b-y', now + 1_000, now)
    expect(
      await Promise.all([
        store.getListEntries(a, ['x', 'y'], now),
        store.getListEntries(b, ['y', 'x'], now),
        store.getListEntries(b, [], now),
        store.getListEntries(b, ['y'], now + 1_000), // expired at this read's own now
      ]),
    ).toStrictEqual([['a-x', null], ['b-y', 'b-x'], [], [null]])
  })

  it('treats a record past its retention as gone even before the alarm has run', async () => {
    const store = durableObjectStore({ namespace })
    const record = makePinRecord(Date.now())
    await store.createPin(record)
    await runInDurableObject(objectFor(pinShardName(record.pinId)), (_, state) => {
      state.storage.sql.exec('UPDATE pins SET forget_at = ? WHERE pin_id = ?', Date.now() - 1, record.pinId)
    })
    expect(await store.consumeAttempt(record.pinId, Date.now(), { singleUse: true })).toStrictEqual({
      ok: false,
      reason: 'NOT_FOUND',
    })
  })

  it('turns an error thrown inside the object into a StoreError', async () => {
    const store = durableObjectStore({ namespace })
    const record = makePinRecord(Date.now())
    await store.createPin(record)
    // Damaged storage makes the object's own code throw (it can't set fields on a string).
    await runInDurableObject(objectFor(pinShardName(record.pinId)), (_, state) =>
      state.storage.sql.exec(`UPDATE pins SET record = '"damaged"' WHERE pin_id = ?`, record.pinId),
    )
    const error = await store
      .consumeAttempt(record.pinId, Date.now(), { singleUse: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/^durable object store: consumeAttempt failed: /)
  })

  it('objects reset during a burst: every attempt counts once or fails with a StoreError', async () => {
    const store = durableObjectStore({ namespace })
    const now = Date.now()
    const record = makePinRecord(now, { attemptsRemaining: 5 })
    await store.createPin(record)
    const burst = Array.from({ length: 200 }, () =>
      store.consumeAttempt(record.pinId, now, { singleUse: true }),
    )
    const [settled] = await Promise.all([Promise.allSettled(burst), abortAllDurableObjects()])
    for (const outcome of settled) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StoreError)
    }
    // The object comes back with its storage: the budget spent before the reset stays spent.
    const after = await Promise.all(
      Array.from({ length: 20 }, () => store.consumeAttempt(record.pinId, now, { singleUse: true })),
    )
    const evaluated = [...settled, ...after.map((value) => ({ status: 'fulfilled' as const, value }))].filter(
      (outcome) => outcome.status === 'fulfilled' && outcome.value.ok,
    )
    expect(evaluated).toHaveLength(5)
    expect(await store.getPin(record.pinId)).toMatchObject({ attemptsRemaining: 0 })
  })
})
