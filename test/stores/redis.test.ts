/**
 * What only the Redis store has, on a real redis-server (the shared conformance suite runs in
 * conformance.test.ts): construction checks, keys under the prefix that all expire, scripts that
 * survive SCRIPT FLUSH, one command per store call, one budget for two clients, and a fail-fast
 * client from a URL.
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

  it('sends one command for each store call: hitAll and readCounters of several keys included', async () => {
    const client = new Redis(redis.server.url)
    const store = redisStore({ client, prefix: freshPrefix() })
    const now = Date.now()
    let commands = 0
    const send = client.sendCommand.bind(client)
    client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
      commands += 1
      return send(...args)
    }) as Redis['sendCommand']
    try {
      // Scripts loaded first: a script Redis doesn't know yet costs one more command, once.
      await store.hitAll!([{ key: 'warm', limit: 1, windowMs: 60_000 }], now)
      await store.readCounters(['warm'], now)
      await store.addCounters([{ key: 'warm', fields: { sent: 1 }, ttlMs: 60_000 }], now)
      commands = 0
      const hits = ['a', 'b', 'c', 'd'].map((key) => ({ key, limit: 5, windowMs: 60_000 }))
      await store.hitAll!(hits, now)
      expect(commands).toBe(1)
      commands = 0
      await store.addCounters(
        ['a', 'b'].map((key) => ({ key, fields: { sent: 1 }, ttlMs: 60_000 })),
        now,
      )
      expect(await store.readCounters(['a', 'b', 'c', 'd', 'e', 'f'], now)).toStrictEqual([
        { sent: 1 },
        { sent: 1 },
        {},
        {},
        {},
        {},
      ])
      expect(commands).toBe(2)
    } finally {
      client.disconnect()
    }
  })

  it('sends the store calls made in one turn of the event loop as one command, in one socket write, each answered as alone', async () => {
    const client = new Redis(redis.server.url)
    const store = redisStore({ client, prefix: freshPrefix() })
    const now = Date.now()
    try {
      await client.ping()
      const record = makePinRecord(now)
      await store.createPin(record)
      // The batch's script loaded first: a script Redis doesn't know yet costs one more command, once.
      await Promise.all([store.getPin(record.pinId), store.getCached('warm', now)])
      let commands = 0
      const sendCommand = client.sendCommand.bind(client)
      client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
        commands += 1
        return sendCommand(...args)
      }) as Redis['sendCommand']
      // What the socket hands to the kernel: one _write or _writev call is one system call.
      const socket = client.stream as typeof client.stream & {
        _write: (...args: unknown[]) => void
        _writev: (...args: unknown[]) => void
      }
      const writes: number[] = []
      const write = socket._write.bind(socket)
      const writev = socket._writev.bind(socket)
      socket._write = (...args) => {
        writes.push(1)
        write(...args)
      }
      socket._writev = (...args) => {
        writes.push((args[0] as unknown[]).length)
        writev(...args)
      }
      const answers = await Promise.all([
        store.getPin(record.pinId),
        store.hit('send:+385911234567', 3, 60_000, now),
        store.getCached('lookup:+385911234567', now),
        store.readCounters(['a', 'b'], now),
        store.findPinIdByMessageId('provider-message-1'),
        store.setCached('lookup:+385917654321', '{"valid":true}', 60_000, now),
        store.getPin('pin-unknown'),
        store.consumeAttempt(record.pinId, now, { singleUse: true }),
      ])
      expect({ commands, writes }).toStrictEqual({ commands: 1, writes: [1] })
      expect(answers).toStrictEqual([
        record,
        { allowed: true, count: 1, resetAt: now + 60_000 },
        null,
        [{}, {}],
        null,
        undefined,
        null,
        { ok: true, record: { ...record, attemptsRemaining: record.attemptsRemaining - 1 } },
      ])
      expect(await store.getCached('lookup:+385917654321', now)).toBe('{"valid":true}')
    } finally {
      client.disconnect()
    }
  })

  it('fails only the call whose script failed when store calls went to Redis together', async () => {
    const prefix = freshPrefix()
    const store = redisStore({ client: redis.client, prefix })
    const now = Date.now()
    const [damaged, sound] = [makePinRecord(now), makePinRecord(now)]
    await Promise.all([store.createPin(damaged), store.createPin(sound)])
    // A record a script can't read: comparing its expiresAt fails inside Redis.
    await redis.client.hdel(`${prefix}pin:${damaged.pinId}`, 'expiresAt')
    const [failed, taken, hit] = await Promise.allSettled([
      store.consumeAttempt(damaged.pinId, now, { singleUse: true }),
      store.consumeAttempt(sound.pinId, now, { singleUse: true }),
      store.hit('after-the-failure', 1, 60_000, now),
    ])
    expect(failed.status === 'rejected' && failed.reason).toBeInstanceOf(StoreError)
    expect(failed.status === 'rejected' && (failed.reason as Error).message).toMatch(
      /^redis store: consumeAttempt failed: .*compare/,
    )
    expect(taken).toStrictEqual({
      status: 'fulfilled',
      value: { ok: true, record: { ...sound, attemptsRemaining: sound.attemptsRemaining - 1 } },
    })
    expect(hit).toMatchObject({ status: 'fulfilled', value: { allowed: true, count: 1 } })
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
