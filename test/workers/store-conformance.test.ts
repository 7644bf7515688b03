/**
 * Runs the shared conformance suite against the Durable Object store, inside real workerd with the
 * namespace from test/workers/wrangler.jsonc. (The stores that run on Node run it in
 * test/stores/conformance.test.ts.)
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { durableObjectStore } from '../../server/stores/durable-object.js'
import { testStore } from '../stores/conformance.js'

const namespace = env.TWO_FACTOR_STORE

testStore('durable object', async () => ({
  store: durableObjectStore({ namespace }),
  close: async () => {},
  // One object per window: what its storage holds (the window and its forgetAt) and a pending alarm.
  storedFor: (key) =>
    runInDurableObject(namespace.get(namespace.idFromName(`rl:${key}`)), async (_, state) => {
      const alarm = await state.storage.getAlarm()
      return [...state.storage.kv.list()].length + (alarm === null ? 0 : 1)
    }),
}))
