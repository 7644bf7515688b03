/**
 * Redis going away mid-flow: every operation fails with a StoreError (which the flow answers with
 * 503 STORE_UNAVAILABLE), nothing half-done is reported as success, and the store works again once
 * Redis is back — with the client options the kit recommends.
 */
import { Redis } from 'ioredis'
import { beforeAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import type { TwoFactorStore } from '../../server/stores/types.js'
import { redisStore } from '../../server/stores/redis.js'
import { useRedisServer } from '../helpers/redis-server.js'
import { makePinRecord } from './conformance.js'

const redis = useRedisServer()
let store: TwoFactorStore

beforeAll(async () => {
  store = redisStore({ client: redis.client, prefix: 'tfk-faults:' })
})

/** Waits (bounded) until the client has reconnected and Redis answers through the store. */
async function untilStoreAnswers(): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      await store.getPin('probe')
      return
    } catch (error) {
      if (!(error instanceof StoreError) || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

describe('redis store when Redis stops and comes back', () => {
  it('rejects every operation with a StoreError while Redis is down, and works again after', async () => {
    const now = Date.now()
    const record = makePinRecord(now)
    await store.createPin(record)
    expect(await store.consumeAttempt(record.pinId, now, { singleUse: true })).toMatchObject({ ok: true })

    await redis.server.stop()
    const operations: [string, () => Promise<unknown>][] = [
      ['createPin', () => store.createPin(makePinRecord(now))],
      ['getPin', () => store.getPin(record.pinId)],
      ['consumeAttempt', () => store.consumeAttempt(record.pinId, now, { singleUse: true })],
      ['markVerified', () => store.markVerified(record.pinId, now, { singleUse: true })],
      ['updatePin', () => store.updatePin(record.pinId, { addMessageId: 'm-1' })],
      ['findPinIdByMessageId', () => store.findPinIdByMessageId('m-1')],
      ['hit', () => store.hit('send:+385911234567', 3, 60_000, now)],
      ['setCached', () => store.setCached('lookup', 'x', 60_000, now)],
      ['getCached', () => store.getCached('lookup', now)],
    ]
    for (const [name, operation] of operations) {
      const error = await operation().then(
        () => new Error(`${name} resolved while Redis was down`),
        (reason: unknown) => reason,
      )
      expect(error, name).toBeInstanceOf(StoreError)
      expect((error as StoreError).message, name).toMatch(/^redis store: \w+ failed: /)
    }

    // Redis kept nothing on disk: it comes back empty, and the store serves a new flow from scratch.
    await redis.server.start()
    await untilStoreAnswers()
    expect(await store.getPin(record.pinId)).toBeNull()
    const fresh = makePinRecord(Date.now())
    await store.createPin(fresh)
    expect(await store.consumeAttempt(fresh.pinId, Date.now(), { singleUse: true })).toMatchObject({
      ok: true,
    })
    expect(await store.markVerified(fresh.pinId, Date.now(), { singleUse: true })).toBe(true)
    expect(await store.hit('send:+385911234567', 3, 60_000, Date.now())).toMatchObject({
      allowed: true,
      count: 1,
    })
  })

  it('cut off during a burst of attempts: each one either counts or fails with a StoreError', async () => {
    await untilStoreAnswers()
    const now = Date.now()
    const record = makePinRecord(now, { attemptsRemaining: 5 })
    await store.createPin(record)
    // Hold the burst on the server (CLIENT PAUSE from a second connection), so Redis dies with the
    // attempts in flight rather than after they have all been answered.
    const pauser = new Redis(redis.server.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
    pauser.on('error', () => {})
    await pauser.connect()
    await pauser.call('CLIENT', 'PAUSE', '5000', 'ALL')
    const burst = Array.from({ length: 200 }, () =>
      store.consumeAttempt(record.pinId, now, { singleUse: true }),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await redis.server.stop()
    const settled = await Promise.allSettled(burst)
    pauser.disconnect()

    for (const outcome of settled) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StoreError)
    }
    expect(settled.some((outcome) => outcome.status === 'rejected')).toBe(true)
    const evaluated = settled.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.ok)
    expect(evaluated.length).toBeLessThanOrEqual(5)

    await redis.server.start()
    await untilStoreAnswers()
  })
})
