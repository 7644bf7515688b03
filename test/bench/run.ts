/**
 * `npm run bench`: every speed and size target of the project, each measured against its yardstick
 * in the same run, printed as ratios. Benchmarks, not tests: these machines are shared and noisy.
 */
import { measureServerLoad, median, SPIN_MICROS, type Rounds, type Window } from './server-load.js'
import { measureWorkerdLoad } from './workerd-load.js'
import { measureWidgetSizes } from './widget-size.js'
import { measureWorkerSize } from './worker-size.js'
import { soak } from './soak.js'
import { printAbuseAndCost } from './pumping.js'

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/**
 * BENCH_ONLY=memory,worker runs only the sections whose title holds one of the words (case
 * ignored): a focused run on a shared machine, instead of every section.
 */
const only = process.env.BENCH_ONLY?.toLowerCase().split(',').filter(Boolean)

async function section(title: string, body: () => Promise<void>) {
  if (only && !only.some((word) => title.toLowerCase().includes(word))) return
  console.log(`\n## ${title}`)
  try {
    await body()
  } catch (error) {
    console.log(`  failed: ${(error as Error).stack ?? String(error)}`)
    process.exitCode = 1
  }
}

const targets = { sendCpu: 3, verifyCpu: 3.5, sendRate: 0.3, verifyRate: 0.28 }
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET')

/** Medians over the rounds; ratios are each round's against its own yardstick run, then the median. */
function printRounds(rounds: Rounds, judge: boolean) {
  const routes: Array<[string, string, (round: Rounds[number]) => Window | undefined]> = [
    ['bare', 'GET /bare (yardstick)', (round) => round.bare],
    ['send', 'POST /2fa/pin', (round) => round.send],
    ['verify', 'POST /2fa/pin/:id/verify (+ JWT)', (round) => round.verify],
  ]
  if (rounds[0]?.spin)
    for (const micros of SPIN_MICROS)
      routes.push([
        `spin ${micros}`,
        `calibration: bare + ${micros} µs of JS`,
        (round) => round.spin?.[micros],
      ])
  if (rounds[0]?.floor)
    routes.push(
      ['floor send', "floor: a send's necessary work", (round) => round.floor?.send],
      ['floor verify', "floor: a verification's (+ JWT)", (round) => round.floor?.verify],
    )
  console.log(`  ${''.padEnd(34)} ${'CPU µs/req'.padStart(10)} ${'req/s'.padStart(8)}  failed`)
  for (const [, name, of] of routes) {
    const windows = rounds.map((round) => of(round)!)
    const cpu = median(windows.map((window) => window.cpuMicrosPerRequest))
    const rate = median(windows.map((window) => window.requestsPerSecond))
    const failed = windows.reduce((sum, window) => sum + window.failed, 0)
    const storeCpus = windows.map((window) => window.storeCpuMicrosPerRequest ?? NaN)
    const store = storeCpus.some(Number.isNaN)
      ? ''
      : `  + redis-server ${median(storeCpus).toFixed(0)} µs/req`
    console.log(
      `  ${name.padEnd(34)} ${cpu.toFixed(0).padStart(10)} ${rate.toFixed(1).padStart(8)}  ${failed}${store}`,
    )
  }
  const targeted = {
    send: [targets.sendCpu, targets.sendRate],
    verify: [targets.verifyCpu, targets.verifyRate],
  }
  for (const [key, , of] of routes.slice(1)) {
    const cpu = median(rounds.map((round) => of(round)!.cpuMicrosPerRequest / round.bare.cpuMicrosPerRequest))
    const rate = median(rounds.map((round) => of(round)!.requestsPerSecond / round.bare.requestsPerSecond))
    const [cpuTarget, rateTarget] = targeted[key as keyof typeof targeted] ?? []
    const judged = judge && cpuTarget !== undefined && rateTarget !== undefined
    const cpuText = `CPU ${cpu.toFixed(2)}× bare${judged ? ` (target ≤ ${cpuTarget}×: ${verdict(cpu <= cpuTarget)})` : ''}`
    const rateText = `req/s ${rate.toFixed(3)}× bare${judged ? ` (target ≥ ${rateTarget}×: ${verdict(rate >= rateTarget)})` : ''}`
    console.log(`  ${(key + ' / bare').padEnd(16)} ${cpuText}; ${rateText}`)
  }
}

for (const store of ['memory', 'redis'] as const) {
  await section(
    `Server CPU and throughput, Node, ${store} store (server in its own process; autocannon, 50 connections; ` +
      `${process.env.BENCH_ROUNDS ?? 3} rounds × ${process.env.BENCH_SECONDS ?? 5} s, medians)`,
    async () => {
      const result = await measureServerLoad(store)
      printRounds(result.rounds, true)
      if (result.redis) {
        for (const key of ['send', 'verify'] as const) {
          const { commands, roundTrips, commandstats } = result.redis[key]
          console.log(
            `  Redis per ${key.padEnd(6)}: ${roundTrips.toFixed(1)} round trips, ${commands.toFixed(1)} commands sent ` +
              `(${commandstats.toFixed(1)} run in Redis, scripts' calls included)`,
          )
        }
      }
    },
  )
}

await section(
  'Server CPU and throughput, workerd (the bench Worker in workerd itself, Durable Object store; CPU of its ' +
    `process; autocannon, ${process.env.BENCH_WORKERD_CONNECTIONS ?? 50} connections; ` +
    `${process.env.BENCH_ROUNDS ?? 3} rounds × ${process.env.BENCH_SECONDS ?? 5} s, medians)`,
  async () => {
    const result = await measureWorkerdLoad()
    printRounds(result.rounds, false)
  },
)

await section('Widget size (minified, gzip -9)', async () => {
  const rows = await measureWidgetSizes()
  for (const row of rows) {
    console.log(
      `  ${row.name.padEnd(48)} ${kb(row.bytes).padStart(9)}  gzip ${kb(row.gzipBytes).padStart(8)}`,
    )
  }
  const gzipOf = (prefix: string) => rows.find((row) => row.name.startsWith(prefix))!.gzipBytes
  const reference = gzipOf('intl-tel-input 29: core + utils')
  for (const prefix of ['widget complete, all countries', 'widget complete, one country']) {
    console.log(`  ${prefix} / intl-tel-input core + utils = ${(gzipOf(prefix) / reference).toFixed(2)}×`)
  }
})

await section('Worker bundle (wrangler deploy --dry-run, gzip)', async () => {
  for (const row of await measureWorkerSize()) {
    const verdict = row.gzipBytes <= 120 * 1024 ? 'ok' : 'OVER'
    console.log(
      `  ${row.name.padEnd(48)} ${kb(row.bytes).padStart(9)}  gzip ${kb(row.gzipBytes).padStart(8)}  ${verdict}`,
    )
  }
})

await section('Soak (server in its own process, mixed traffic with a flood of refused sends)', async () => {
  const result = await soak()
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  console.log(`  ${result.requests} requests in ${result.seconds} s: ${JSON.stringify(result.statuses)}`)
  for (const [name, key] of [
    ['RSS', 'rss'],
    ['heap used (after GC)', 'heapUsed'],
  ] as const) {
    const ratio = result.after[key] / result.before[key]
    console.log(
      `  ${name.padEnd(22)} ${mb(result.before[key])} → ${mb(result.after[key])}  (${ratio.toFixed(2)}×)`,
    )
  }
  console.log(`  store entries          ${result.before.storeSize} → ${result.after.storeSize}`)
})

await section('Abuse and cost (simulated, default policies)', printAbuseAndCost)
