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
  // Every window is a row of the limits object's windows table (the table exists once any test
  // has taken a window; before that, nothing is stored for any key).
  storedFor: (key) =>
    runInDurableObject(namespace.get(namespace.idFromName('limits')), (_, state) => {
      if (!state.storage.kv.get<string[]>('tables')?.includes('windows')) return 0
      return state.storage.sql.exec('SELECT key FROM windows WHERE key = ?', key).toArray().length
    }),
}))
