/**
 * What only the Redis store has, on a real redis-server (the shared conformance suite runs in
 * conformance.test.ts): construction checks, keys under the prefix that all expire, scripts that
 * survive SCRIPT FLUSH, one budget for two clients, and a fail-fast client from a URL.
 */
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { connectRedisClient, failFastRedisOptions, redisStore } from '../../server/stores/redis.js'
import { useRedisServer } from '../helpers/redis-server.js'
import { makePinRecord } from './conformance.js'

const redis = useRedisServer()

// A prefix per test keeps tests apart on one server without flushing it.
const freshPrefix = () => `tfk-test:${crypto.randomUUID()}:`

describe('redis store specifics', () => {
  it('refuses a missing or foreign client and a non-string prefix at construction', () => {
    expect(() => redisStore({} as never)).toThrow(/"client" must be an ioredis client/)
    expect(() => redisStore({ client: {} as never })).toThrow(/"client" must be an ioredis client/)
    expect(() => redisStore({ client: redis.client, prefix: 7 as never })).toThrow(
      /"prefix" must be a string/,
    )
  })

  it('namespaces every key under the prefix and lets every one of them expire', async () => {
    const prefix = freshPrefix()
    const store = redisStore({ client: redis.client, prefix })
    const now = Date.now()
    const record = makePinRecord(now)
    await store.createPin(record)
    await store.updatePin(record.pinId, { addMessageId: 'provider-message-1' })
    await store.consumeAttempt(record.pinId, now, { singleUse: true })
    await store.hit('send:+385911234567', 3, 60_000, now)
    await store.setCached('lookup:+385911234567', '{}', 60_000, now)

    const keys = await redis.client.keys(`${prefix}*`)
    expect(keys.sort()).toStrictEqual(
      ['cache:lookup:+385911234567', 'msg:provider-message-1', `pin:${record.pinId}`, 'rl:send:+385911234567']
        .map((key) => prefix + key)
        .sort(),
    )
    for (const key of keys) {
      const ttl = await redis.client.pttl(key)
      expect(ttl, key).toBeGreaterThan(0)
      expect(ttl, key).toBeLessThanOrEqual(record.retainUntil - record.createdAt)
    }
  })

  it('keeps working after Redis forgets its scripts (SCRIPT FLUSH, as after a restart)', async () => {
    const store = redisStore({ client: redis.client, prefix: freshPrefix() })
    const record = makePinRecord(Date.now())
    await store.createPin(record)
    await redis.client.script('FLUSH')
    expect(await store.consumeAttempt(record.pinId, Date.now(), { singleUse: true })).toMatchObject({
      ok: true,
    })
  })

  it('keeps one budget for two clients (two server processes) on one Redis', async () => {
    const other = new Redis(redis.server.url, { ...failFastRedisOptions, lazyConnect: true })
    await other.connect()
    try {
      const prefix = freshPrefix()
      const stores = [redisStore({ client: redis.client, prefix }), redisStore({ client: other, prefix })]
      const now = Date.now()
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => stores[i % 2]!.hit('send:+385911234567', 10, 60_000, now)),
      )
      expect(results.filter((result) => result.allowed)).toHaveLength(10)

      const record = makePinRecord(now, { attemptsRemaining: 5 })
      await stores[0]!.createPin(record)
      const attempts = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          stores[i % 2]!.consumeAttempt(record.pinId, now, { singleUse: true }),
        ),
      )
      expect(attempts.filter((result) => result.ok)).toHaveLength(5)
    } finally {
      other.disconnect()
    }
  })

  it('connects a fail-fast client from a URL, and says so clearly when it cannot', async () => {
    const connected = await connectRedisClient(redis.server.url)
    try {
      expect(await connected.ping()).toBe('PONG')
      expect(connected.options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    } finally {
      connected.disconnect()
    }
    await expect(connectRedisClient('http://127.0.0.1:1')).rejects.toThrow(/redis:\/\/ or rediss:\/\//)
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const refused = connectRedisClient('redis://127.0.0.1:1', { retryStrategy: () => null })
    await expect(refused).rejects.toBeInstanceOf(StoreError)
  })
})
