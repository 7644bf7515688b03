/**
 * One Node server process of the two-process test: the kit on a shared Redis, configured by the
 * parent through the environment (REDIS_URL, KEY_PREFIX, TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK,
 * CLOCK_START). Prints `LISTENING <port>` when it serves; exposes the console provider's outbox at
 * /outbox.json, and its clock — a fake one, standing still at CLOCK_START — at POST /clock/advance.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { consoleProvider, twoFactor } from '../../server/index.js'
import { failFastRedisOptions, redisStore } from '../../server/stores/redis.js'
import { fakeClock } from '../helpers/clock.js'

const client = new Redis(process.env.REDIS_URL!, { ...failFastRedisOptions, lazyConnect: true })
await client.connect()
const sms = consoleProvider({ print: null, outboxSize: 10_000 })
const quiet = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error(...args) }
// Both processes start at the same instant and are moved on together, so they agree on every window.
const clock = fakeClock(Number(process.env.CLOCK_START))
const kit = twoFactor({
  environment: 'development',
  secret: process.env.TWO_FACTOR_SECRET!,
  signingKey: process.env.TWO_FACTOR_PRIVATE_JWK!,
  store: redisStore({ client, prefix: process.env.KEY_PREFIX! }),
  sms,
  logger: quiet,
  clock: clock.now,
  verifyPinLimit: '10000/1m',
  sendPinPerPhoneNumberLimit: '3/1d',
  resendCooldown: '30s',
  // A fixed cooldown: these tests count the per-number limit across processes, not the backoff.
  maxResendCooldown: '30s',
  // Every request comes from 127.0.0.1: a per-IP limit would be one more budget shared by all tests.
  sendPinPerIpLimit: '10000/1h',
})
await kit.ready

const app = new Hono()
app.route('/2fa', kit)
app.get('/outbox.json', (c) => c.json(sms.outbox))
app.post('/clock/advance', async (c) => {
  clock.advance(((await c.req.json()) as { ms: number }).ms)
  return c.json({ now: clock.now() })
})

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`LISTENING ${info.port}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  client.disconnect()
  process.exit(0)
})
