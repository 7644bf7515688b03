/**
 * Runs the shared conformance suite against each store that runs on Node: the memory store, and the
 * Redis store on a real redis-server. (The Durable Object store runs it inside workerd, in
 * test/workers/store-conformance.test.ts.)
 */
import { Redis } from 'ioredis'
import { afterAll } from 'vitest'
import { memoryStore } from '../../server/stores/memory.js'
import { failFastRedisOptions, redisStore } from '../../server/stores/redis.js'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'
import { testStore } from './conformance.js'

testStore('memory', async () => ({ store: memoryStore(), close: async () => {} }))

// One redis-server for the file, started when the first Redis test needs it.
let redis: Promise<{ server: RedisServer; client: Redis }> | undefined

async function startRedis(): Promise<{ server: RedisServer; client: Redis }> {
  const server = await startRedisServer()
  const client = new Redis(server.url, { ...failFastRedisOptions, lazyConnect: true })
  await client.connect()
  return { server, client }
}

afterAll(async () => {
  const started = await redis
  started?.client.disconnect()
  await started?.server.stop()
})

testStore('redis', async () => {
  const { client } = await (redis ??= startRedis())
  // A prefix per test keeps tests apart on one server without flushing it.
  return { store: redisStore({ client, prefix: `tfk-test:${crypto.randomUUID()}:` }), close: async () => {} }
})
