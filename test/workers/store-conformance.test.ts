/**
 * Runs the shared conformance suite against the Durable Object store, inside real workerd with the
 * namespace from test/workers/wrangler.jsonc. (The stores that run on Node run it in
 * test/stores/conformance.test.ts.)
 */
import { env } from 'cloudflare:workers'
import { durableObjectStore } from '../../server/stores/durable-object.js'
import { testStore } from '../stores/conformance.js'

testStore('durable object', async () => ({
  store: durableObjectStore({ namespace: env.TWO_FACTOR_STORE }),
  close: async () => {},
}))
