/**
 * `npm run bench`: every speed and size target of the project, each measured against its yardstick
 * in the same run, printed as ratios. Benchmarks, not tests: these machines are shared and noisy.
 */
import { measureServerThroughput } from './server-throughput.js'
import { measureWidgetSizes } from './widget-size.js'
import { measureWorkerSize } from './worker-size.js'
import { soak } from './soak.js'
import { printAbuseAndCost } from './pumping.js'

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

async function section(title: string, body: () => Promise<void>) {
  console.log(`\n## ${title}`)
  try {
    await body()
  } catch (error) {
    console.log(`  failed: ${(error as Error).stack ?? String(error)}`)
    process.exitCode = 1
  }
}

await section('Server throughput (Node, loopback, autocannon)', async () => {
  const rows = await measureServerThroughput()
  for (const row of rows)
    console.log(`  ${row.name.padEnd(34)} ${row.requestsPerSecond.toFixed(0).padStart(8)} req/s`)
  const [bare, send, verify] = rows.map((row) => row.requestsPerSecond) as [number, number, number]
  const sendRatio = send / bare
  const verifyRatio = verify / bare
  console.log(
    `  send / bare   = ${sendRatio.toFixed(2)}  (target ≥ 0.50) ${sendRatio >= 0.5 ? 'ok' : 'BELOW TARGET'}`,
  )
  console.log(
    `  verify / bare = ${verifyRatio.toFixed(2)}  (target ≥ 0.35) ${verifyRatio >= 0.35 ? 'ok' : 'BELOW TARGET'}`,
  )
})

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
    const verdict = row.gzipBytes <= 150 * 1024 ? 'ok' : 'OVER'
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
