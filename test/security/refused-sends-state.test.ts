// A refused send leaves nothing new in the store: every bucket it took is given back, and a window it
// opened (the cooldown and the per-number window of a number it never reached) goes with it. One IP
// that is already limited can't fill the store, on memory or on Redis, and can't make a legitimate
// user's send or right-PIN verify answer 503.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { memoryStore } from '../../server/stores/memory.js'
import { redisStore } from '../../server/stores/redis.js'
import type { TwoFactorStore } from '../../server/stores/types.js'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'
import { keysUnder } from '../helpers/redis-keys.js'
import { useRedisServer } from '../helpers/redis-server.js'

const ATTACKER = '203.0.113.7'
const ALICE = '198.51.100.1'
const BOB = '198.51.100.2'
/** Croatian mobile numbers 091 2xx xxxx, one per `i`: a flood that never hits one number twice. */
const numberFor = (i: number) => `+385912${String(i).padStart(6, '0')}`
const BOB_NUMBER = '+385981234567'

function kitWith(store: TwoFactorStore) {
  const kit = makeKit({
    store,
    sendPinPerIpLimit: '2/1h',
    getClientIp: (c) => c.req.header('X-Test-Client-IP'),
  })
  const send = (ip: string, phoneNumber: string) =>
    kit.post('/pin', { phoneNumber }, { 'X-Test-Client-IP': ip })
  const verify = (ip: string, pinId: string, pin: string) =>
    kit.post(`/pin/${pinId}/verify`, { pin }, { 'X-Test-Client-IP': ip })
  return { ...kit, send, verify }
}

type FloodKit = ReturnType<typeof kitWith>

/** Alice holds a live PIN; the attacker's IP has used its 2 sends. */
async function beforeTheFlood(kit: FloodKit) {
  const alice = await kit.send(ALICE, MOBILE_HR)
  expect(alice.status).toBe(201)
  const { pinId } = (await alice.json()) as { pinId: string }
  const pin = kit.lastPin()
  expect((await kit.send(ATTACKER, numberFor(0))).status).toBe(201)
  expect((await kit.send(ATTACKER, numberFor(1))).status).toBe(201)
  return { pinId, pin }
}

/** Alice's right PIN still verifies, and Bob, from another IP, can still send and verify. */
async function legitimateUsersStillServed(kit: FloodKit, alice: { pinId: string; pin: string }) {
  expect((await kit.verify(ALICE, alice.pinId, alice.pin)).status).toBe(200)
  const bob = await kit.send(BOB, BOB_NUMBER)
  expect(bob.status).toBe(201)
  const { pinId } = (await bob.json()) as { pinId: string }
  expect((await kit.verify(BOB, pinId, kit.lastPin())).status).toBe(200)
}

describe('refused sends leave no state behind (memory store)', () => {
  it('3,000 refused sends from one limited IP (to 3,000 numbers, then 100 to one) on a store of 60 entries → all 429, the store holds exactly what it held before, Alice and Bob still verify', async () => {
    const store = memoryStore({ maxEntries: 60 })
    const kit = kitWith(store)
    const alice = await beforeTheFlood(kit)
    const held = store.size

    const outcomes: string[] = []
    for (let i = 2; i < 3_002; i++) outcomes.push(await sendOutcome(await kit.send(ATTACKER, numberFor(i))))
    for (let i = 0; i < 100; i++) outcomes.push(await sendOutcome(await kit.send(ATTACKER, MOBILE_HR)))
    expect(tally(outcomes)).toStrictEqual({ '429 sendPinPerIp': 3_000, '429 resendCooldown': 100 })
    expect(store.size).toBe(held)
    expect(kit.sms.outbox).toHaveLength(3)

    await legitimateUsersStillServed(kit, alice)
  })

  it('300 concurrent refused sends from one limited IP to 300 numbers → all 429, the store holds exactly what it held before', async () => {
    const store = memoryStore({ maxEntries: 1_000 })
    const kit = kitWith(store)
    const alice = await beforeTheFlood(kit)
    const held = store.size

    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => kit.send(ATTACKER, numberFor(i + 2))),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({ '429 sendPinPerIp': 300 })
    expect(store.size).toBe(held)

    await legitimateUsersStillServed(kit, alice)
  })
})

describe('a send the store fails midway', () => {
  it('answers 503 and gives back the buckets it took: nothing is left but the statistics of the request, and the number may ask again at once', async () => {
    const store = memoryStore()
    let failing = true
    // The application-wide bucket is the last one taken: the store refuses it, as a full one would.
    // Without hitAll, the kit takes the buckets one call each (a store of its own may lack it); the
    // memory store's own hitAll on a full store is in server/stores/memory.test.ts.
    const failingOnLastBucket: typeof store = Object.assign(Object.create(store) as typeof store, {
      hitAll: undefined,
      hit: (key: string, limit: number, windowMs: number, now: number, cost?: number) =>
        failing && key === 'send:application' && (cost ?? 1) > 0
          ? Promise.reject(new StoreError('memory store is full'))
          : store.hit(key, limit, windowMs, now, cost),
    })
    const kit = kitWith(failingOnLastBucket)
    expect(await sendOutcome(await kit.send(ALICE, MOBILE_HR))).toBe('503 STORE_UNAVAILABLE')
    // Nothing but the statistics counting the request (the hour's and the running totals).
    expect(store.size).toBe(2)
    expect(await store.readCounters(['stats:total'], kit.clock.now())).toStrictEqual([
      { requested: 1, 'requested|country:HR': 1 },
    ])
    failing = false
    expect(await sendOutcome(await kit.send(ALICE, MOBILE_HR))).toBe('201')
  })
})

describe('refused sends leave no state behind (Redis store)', () => {
  const redis = useRedisServer()

  it('1,000 refused sends from one limited IP (500 sequential, 500 concurrent, each to its own number) → all 429, exactly the keys there were before', async () => {
    const prefix = `tfk-flood:${crypto.randomUUID()}:`
    const kit = kitWith(redisStore({ client: redis.client, prefix }))
    const alice = await beforeTheFlood(kit)
    const held = (await keysUnder(redis.client, prefix)).sort()

    const outcomes: string[] = []
    for (let i = 2; i < 502; i++) outcomes.push(await sendOutcome(await kit.send(ATTACKER, numberFor(i))))
    const concurrent = await Promise.all(
      Array.from({ length: 500 }, (_, i) => kit.send(ATTACKER, numberFor(i + 502))),
    )
    outcomes.push(...(await Promise.all(concurrent.map(sendOutcome))))
    expect(tally(outcomes)).toStrictEqual({ '429 sendPinPerIp': 1_000 })
    expect((await keysUnder(redis.client, prefix)).sort()).toStrictEqual(held)

    await legitimateUsersStillServed(kit, alice)
  })
})
