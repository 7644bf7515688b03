/**
 * One Node server process of the two-process test: the kit on a shared Redis, configured by the
 * parent through the environment (REDIS_URL, KEY_PREFIX, TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK).
 * Prints `LISTENING <port>` when it serves; exposes the console provider's outbox at /outbox.json.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { consoleProvider, twoFactor } from '../../server/index.js'
import { failFastRedisOptions, redisStore } from '../../server/stores/redis.js'

const client = new Redis(process.env.REDIS_URL!, { ...failFastRedisOptions, lazyConnect: true })
await client.connect()
const sms = consoleProvider({ print: null, outboxSize: 10_000 })
const quiet = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error(...args) }
const kit = twoFactor({
  environment: 'development',
  secret: process.env.TWO_FACTOR_SECRET!,
  signingKey: process.env.TWO_FACTOR_PRIVATE_JWK!,
  store: redisStore({ client, prefix: process.env.KEY_PREFIX! }),
  sms,
  logger: quiet,
  verifyPinLimit: '10000/1m',
  sendPinPerPhoneNumberLimit: '3/1d',
  resendCooldown: '1ms',
})
await kit.ready

const app = new Hono()
app.route('/2fa', kit)
app.get('/outbox.json', (c) => c.json(sms.outbox))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`LISTENING ${info.port}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  client.disconnect()
  process.exit(0)
})
