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
import { keysUnder } from '../helpers/redis-keys.js'

testStore('memory', async () => {
  const store = memoryStore()
  // A fresh store per test: everything it holds belongs to the test's key.
  return { store, close: async () => {}, storedFor: async () => store.size }
})

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
  const prefix = `tfk-test:${crypto.randomUUID()}:`
  return {
    store: redisStore({ client, prefix }),
    close: async () => {},
    // Every key under the test's prefix, not only `rl:<key>`: a give-back must leave nothing anywhere.
    storedFor: async () => (await keysUnder(client, prefix)).length,
  }
})
