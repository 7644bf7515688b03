/**
 * Where the server's CPU goes under load: the bench server (server-process.ts, memory store, or
 * Redis with `--redis`) in its own process with V8's CPU profiler on, autocannon with 50
 * connections in this one; a warm-up, then the profiled window. Prints self time by module and by
 * function per request (cpu-profile-summary.ts) and keeps the .cpuprofile (open it in Chrome's
 * DevTools, Performance tab) under /tmp.
 *
 *   npx tsx test/bench/profile.ts [send|verify|bare|floor-send|floor-verify] [seconds] [--redis]
 *
 * `floor-send` and `floor-verify` profile floor.ts's routes: the necessary work alone.
 */
import autocannon from 'autocannon'
import { writeFileSync } from 'node:fs'
import { benchNumber, type BenchPin } from './bench-app.js'
import { printProfileSummary, summarizeProfile } from './cpu-profile-summary.js'
import { benchPinMaker, processCpuMicros, startBenchServer } from './server-load.js'

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
const route = (args[0] ?? 'send') as 'send' | 'verify' | 'bare' | 'floor-send' | 'floor-verify'
const seconds = Number(args[1] ?? 5)
const useRedis = process.argv.includes('--redis')
const json = { 'content-type': 'application/json' }

const server = await startBenchServer(useRedis ? 'redis' : 'memory', { BENCH_PROFILE: '1' })
try {
  const { url, pid } = server

  const makePins = benchPinMaker(url)
  let sent = 0
  let pins: BenchPin[] = []
  let next = 0
  const options = (): autocannon.Options => {
    if (route === 'bare') return { url: `${url}/bare`, connections: 50 }
    if (route === 'floor-verify') {
      const body = JSON.stringify({ pinId: 'floor', pin: '123456' })
      return { url: `${url}/bench/floor/verify`, connections: 50, method: 'POST', headers: json, body }
    }
    if (route === 'send' || route === 'floor-send') {
      return {
        url: route === 'send' ? `${url}/2fa/pin` : `${url}/bench/floor/send`,
        connections: 50,
        method: 'POST',
        headers: json,
        requests: [
          { setupRequest: (r) => ({ ...r, body: JSON.stringify({ phoneNumber: benchNumber(sent++) }) }) },
        ],
      }
    }
    return {
      url,
      connections: 50,
      method: 'POST',
      headers: json,
      requests: [
        {
          setupRequest: (r) => {
            const { pinId, pin } = pins[next++]!
            return { ...r, path: `/2fa/pin/${pinId}/verify`, body: JSON.stringify({ pin }) }
          },
        },
      ],
    }
  }
  const load = (span: { duration: number } | { amount: number }) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ ...options(), ...span }, (error, result) => (error ? reject(error) : resolve(result))),
    )

  // Verify needs one fresh PIN per request: a guess of how many the window takes, made beforehand.
  const verifyCount = Number(process.env.PROFILE_VERIFY_REQUESTS ?? 4_000 * seconds)
  if (route === 'verify') pins = await makePins(2_000 + verifyCount)
  await load(route === 'verify' ? { amount: 2_000 } : { duration: 2 })

  await fetch(`${url}/bench/profile/start`, { method: 'POST' })
  const cpuBefore = processCpuMicros(pid)
  const result = await load(route === 'verify' ? { amount: verifyCount } : { duration: seconds })
  const cpu = processCpuMicros(pid) - cpuBefore
  const profile = await (await fetch(`${url}/bench/profile/stop`, { method: 'POST' })).json()
  const file = `/tmp/two-factor-kit-${route}${useRedis ? '-redis' : ''}-${process.pid}.cpuprofile`
  writeFileSync(file, JSON.stringify(profile))

  const requests = result.requests.total
  console.log(
    `${route}${useRedis ? ' (redis)' : ''}: ${requests} requests, ${result.non2xx + result.errors} failed, ` +
      `${(requests / (result.duration || seconds)).toFixed(0)} req/s, server CPU ${(cpu / requests).toFixed(0)} µs/req ` +
      `(profiler on); profile in ${file}`,
  )
  printProfileSummary(summarizeProfile(profile), requests, Number(process.env.PROFILE_ROWS ?? 30))
} finally {
  await server.stop()
}
