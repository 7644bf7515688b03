/**
 * The bench server as it runs deployed: compiled ahead of time, as `npm run build` does, not
 * through tsx. tsx compiles with esbuild's keepNames, which wraps every function made at run time in
 * a call that sets its name — about 10 µs of a send's CPU that no installed copy of the kit pays.
 * File by file, not bundled, so that a CPU profile names the kit's own modules; dependencies come
 * from node_modules as in an install. The output lives under test/.artifacts.
 */
import { build } from 'esbuild'
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const outdir = `${root}test/.artifacts/bench-build`

async function sources(directory: string): Promise<string[]> {
  const entries = await readdir(`${root}${directory}`, { recursive: true })
  return entries
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .map((file) => `${root}${directory}/${file}`)
}

/** Compiles server/ and test/bench/ and answers the file to run with `node` for `entry`. */
export async function buildBenchServer(entry = 'test/bench/server-process.ts'): Promise<string> {
  await build({
    entryPoints: [...(await sources('server')), ...(await sources('test/bench'))],
    outbase: root,
    outdir,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  })
  return `${outdir}/${entry.replace(/\.ts$/, '.js')}`
}
