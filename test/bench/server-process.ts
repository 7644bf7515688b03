/**
 * The server of `npm run bench`'s throughput runs, alone in its process as a deployment runs it:
 * the Node entry's `twoFactor(process.env, overrides)` mounted with `app.route('/2fa', …)`, on the
 * memory store or — when REDIS_URL is set — the Redis store, plus the yardstick `GET /bare` and the
 * bench routes of bench-app.ts. Prints `LISTENING <port> <pid>`; the parent reads this process's CPU
 * time from /proc/<pid>/stat.
 *
 * With Redis, `GET /bench/redis` answers how many commands the store sent and in how many round
 * trips (a command sent while none of the earlier ones has been answered yet rides the same trip).
 */
import { Hono } from 'hono'
import type { Redis } from 'ioredis'
import { consoleProvider, memoryStore, serve, twoFactor } from '../../server/node.js'
import { connectRedisClient, redisStore } from '../../server/stores/redis.js'
import { benchLimits, mountBenchRoutes } from './bench-app.js'
import { mountFloorRoutes } from './floor.js'

const quiet = { info() {}, warn() {}, error: (...args: unknown[]) => console.error(...args) }
// One entry: bench-app reads each PIN right after its send; the load itself keeps nothing.
const sms = consoleProvider({ print: null, outboxSize: 1 })

const redisTraffic = { commands: 0, roundTrips: 0 }
let client: Redis | undefined
if (process.env.REDIS_URL) {
  client = await connectRedisClient(process.env.REDIS_URL)
  const send = client.sendCommand.bind(client)
  let answeredSinceLastSend = true
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream) => {
    redisTraffic.commands += 1
    if (answeredSinceLastSend) redisTraffic.roundTrips += 1
    answeredSinceLastSend = false
    const sent = send(command, stream)
    const answered = () => void (answeredSinceLastSend = true)
    command.promise.then(answered, answered)
    return sent
  }) as Redis['sendCommand']
}

const kit = twoFactor(process.env, {
  // The entry's default store holds 100k entries; a bench run writes more than that.
  store: client ? redisStore({ client }) : memoryStore({ maxEntries: 5_000_000 }),
  sms,
  logger: quiet,
  ...benchLimits,
})
await kit.ready

const app = new Hono()
app.route('/2fa', kit)
mountBenchRoutes(app, kit, sms.outbox)
app.get('/bench/redis', (c) => c.json(redisTraffic))
mountFloorRoutes(app, process.env.TWO_FACTOR_PRIVATE_JWK!)
// The calibration routes (SPIN_MICROS in server-load.ts): the yardstick's answer after spending
// `micros` of this process's CPU in JavaScript.
app.get('/bench/spin/:micros', (c) => {
  const micros = Number(c.req.param('micros'))
  const start = process.cpuUsage()
  let spent = 0
  while (spent < micros) {
    const used = process.cpuUsage(start)
    spent = used.user + used.system
  }
  return c.json({ ok: true })
})
// profile.ts: V8's CPU profiler over a window the load generator chooses, not over start-up.
if (process.env.BENCH_PROFILE) {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  app.post('/bench/profile/start', async (c) => {
    await session.post('Profiler.start')
    return c.json({})
  })
  app.post('/bench/profile/stop', async (c) => c.json((await session.post('Profiler.stop')).profile))
}

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`LISTENING ${info.port} ${process.pid}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  client?.disconnect()
  process.exit(0)
})
