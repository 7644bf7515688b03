/**
 * The same rounds as the Node bench server's (server-load.ts), on workerd: `wrangler dev` runs the
 * bench Worker (workerd/worker.js: the Workers entry on its Durable Object store, `GET /bare`
 * beside it), and the CPU time per request is that of the workerd processes wrangler started, read
 * from /proc like the Node server's. Locally the Durable Object runs in the same workerd as the
 * Worker, so its work is counted too; so is wrangler dev's own proxy in front of the Worker, which
 * the yardstick pays as well. Cloudflare bills a Worker's CPU without either.
 *
 * The Worker is bundled first and `wrangler dev` serves that bundle unbundled: wrangler dev would
 * otherwise watch the sources and restart the Worker mid-run whenever someone edits one.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../helpers/ports.js'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'
import { benchSecrets, measureRounds, processCpuMicros, type Rounds } from './server-load.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const CONFIG = 'test/bench/workerd/wrangler.jsonc'
const CONNECTIONS = 1
const VERIFY_PINS = Number(process.env.BENCH_WORKERD_VERIFY_PINS ?? 36)
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: '1',
}

/** Bundles the bench Worker into `directory` and writes a config there that serves the bundle. */
function bundleWorker(directory: string): string {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/wrangler/bin/wrangler.js'),
      'deploy',
      '--dry-run',
      '--outdir',
      join(directory, 'bundle'),
      '-c',
      CONFIG,
    ],
    { cwd: root, env: wranglerEnv, stdio: 'ignore' },
  )
  const config = join(directory, 'wrangler.json')
  const source = JSON.parse(
    // The bench config has comments and trailing commas: JSON without them is enough here.
    readFileSync(join(root, CONFIG), 'utf8')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/,(\s*[}\]])/g, '$1'),
  ) as Record<string, unknown>
  delete source.$schema
  writeFileSync(config, JSON.stringify({ ...source, main: 'bundle/worker.js', no_bundle: true }))
  return config
}

interface ProcessInfo {
  pid: number
  name: string
  group: number
  commandLine: string
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      // After the name: state, ppid, pgrp.
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      found.push({ pid: Number(entry), name, group, commandLine })
    } catch {
      // gone meanwhile
    }
  }
  return found
}

/** The workerd processes of the wrangler dev that serves on `port`, as they are now. */
function workerdProcesses(port: number): number[] {
  const all = processes()
  const wrangler = all.find(
    (process) => process.commandLine.includes(' dev ') && process.commandLine.includes(`--port ${port} `),
  )
  if (!wrangler) throw new Error(`no wrangler dev process for port ${port}`)
  const workerd = all.filter((process) => process.group === wrangler.group && process.name === 'workerd')
  if (workerd.length === 0) throw new Error(`wrangler dev on port ${port} runs no workerd`)
  return workerd.map((process) => process.pid)
}

export interface WorkerdLoadResult {
  connections: number
  rounds: Rounds
  workerdProcesses: number
}

export async function measureWorkerdLoad(): Promise<WorkerdLoadResult> {
  const port = await freePort()
  const inspectorPort = await freePort()
  const directory = mkdtempSync(join(tmpdir(), 'tfk-bench-wrangler-'))
  const config = bundleWorker(directory)
  const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '-c', config]
  args.push('--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort))
  args.push('--persist-to', join(directory, 'state'), '--show-interactive-dev-session=false')
  for (const [name, value] of Object.entries(benchSecrets)) args.push('--var', `${name}:${value}`)
  let wrangler: ProcessGroup | undefined
  try {
    wrangler = await startProcessGroup({
      name: 'wrangler dev (bench Worker)',
      command: process.execPath,
      args,
      cwd: root,
      env: wranglerEnv,
      ready: { url: `http://127.0.0.1:${port}/bare` },
      readyWithinMs: 120_000,
      cleanUp: () => rmSync(directory, { recursive: true, force: true }),
    })
    // Looked up again at each reading: wrangler starts short-lived workerd processes as well.
    const cpuMicros = () => workerdProcesses(port).reduce((sum, pid) => sum + processCpuMicros(pid), 0)
    // One connection: locally each send waits on the Durable Object for a few hundred ms, and more
    // connections only queue there. A verify run is as long as the PINs made for it.
    const { rounds } = await measureRounds(
      `http://127.0.0.1:${port}`,
      { server: cpuMicros },
      {
        connections: CONNECTIONS,
        pinsForVerify: () => VERIFY_PINS,
      },
    )
    return { connections: CONNECTIONS, rounds, workerdProcesses: workerdProcesses(port).length }
  } finally {
    await wrangler?.stop()
  }
}
