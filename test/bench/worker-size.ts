/**
 * The Workers bundle as Cloudflare would upload it: `wrangler deploy --dry-run` (no account needed)
 * bundles demo/worker.ts, then each output module is measured minified-as-shipped and gzipped.
 * Target: ≤ 120 KB gzip. The widget is served as static assets and does not count.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'

const run = promisify(execFile)

export async function measureWorkerSize(): Promise<
  Array<{ name: string; bytes: number; gzipBytes: number }>
> {
  const outdir = await mkdtemp(join(tmpdir(), 'tfk-worker-'))
  try {
    await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '-c', 'demo/wrangler.jsonc'], {
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      maxBuffer: 16 * 1024 * 1024,
    })
    const files = (await readdir(outdir)).filter((file) => /\.(m?js|wasm)$/.test(file))
    let bytes = 0
    let gzipBytes = 0
    for (const file of files) {
      const content = await readFile(join(outdir, file))
      bytes += content.byteLength
      gzipBytes += gzipSync(content, { level: 9 }).byteLength
    }
    return [
      {
        name: `demo/worker.ts bundle (${files.length} module${files.length === 1 ? '' : 's'}; target ≤ 120 KB gzip)`,
        bytes,
        gzipBytes,
      },
    ]
  } finally {
    await rm(outdir, { recursive: true, force: true })
  }
}
