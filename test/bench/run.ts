/**
 * `npm run bench`: every speed and size target of the project, each measured against its yardstick
 * in the same run, printed as ratios. Benchmarks, not tests: these machines are shared and noisy.
 */
import { existsSync } from 'node:fs'
import { measureServerThroughput } from './server-throughput.js'

const here = new URL('.', import.meta.url)
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

// Sizes of the widget and the Worker bundle are measured by their own modules when present.
if (existsSync(new URL('widget-size.ts', here))) {
  await section('Widget size (minified, gzip -9)', async () => {
    const { measureWidgetSizes } = await import('./widget-size.js')
    for (const row of await measureWidgetSizes()) {
      console.log(
        `  ${row.name.padEnd(48)} ${kb(row.bytes).padStart(9)}  gzip ${kb(row.gzipBytes).padStart(8)}`,
      )
    }
  })
}
if (existsSync(new URL('worker-size.ts', here))) {
  await section('Worker bundle (wrangler deploy --dry-run, gzip)', async () => {
    const { measureWorkerSize } = await import('./worker-size.js')
    for (const row of await measureWorkerSize()) {
      console.log(
        `  ${row.name.padEnd(48)} ${kb(row.bytes).padStart(9)}  gzip ${kb(row.gzipBytes).padStart(8)}`,
      )
    }
  })
}
