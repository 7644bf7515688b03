/**
 * The server of `npm run bench`'s soak: the kit on Node with the memory store, in its own process,
 * and a `/stats` route that reports the process's memory after a full GC (run with --expose-gc)
 * and the store's size. The caller's IP comes from `X-Bench-IP`, so one load generator can be one
 * flooding client and many ordinary ones.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { consoleProvider, memoryStore, twoFactor } from '../../server/index.js'

const quiet = { info() {}, warn() {}, error() {} }
const store = memoryStore()
const kit = twoFactor({
  environment: 'development',
  store,
  sms: consoleProvider({ print: null, outboxSize: 16 }),
  logger: quiet,
  getClientIp: (c) => c.req.header('X-Bench-IP'),
  // The soak's ordinary clients never verify and hit random numbers of one country: at the default
  // policies that is an attack, refused after 20 SMS. The soak measures memory under sustained
  // sends, so the policies stay on but don't trip (the flooding client still meets its IP limit).
  conversionMinSends: 1_000_000,
  conversionMinSendsPerRange: 1_000_000,
  sendPinPerRangeLimit: '10000/1h',
  sendPinPerWideRangeLimit: '100000/1h',
  dailySpendLimit: null,
  dailySpendLimitPerCountry: null,
})
const app = new Hono()
app.route('/2fa', kit)
app.get('/stats', (c) => {
  ;(globalThis as { gc?: () => void }).gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  return c.json({ rss, heapUsed, storeSize: store.size })
})
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  console.log(`listening on ${info.port}`),
)
