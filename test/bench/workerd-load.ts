/**
 * The same rounds as the Node bench server's (server-load.ts), on workerd: the bench Worker
 * (workerd/worker.js: the Workers entry on its Durable Object store, `GET /bare` beside it), bundled
 * by wrangler as `wrangler deploy` would upload it, served by workerd itself — the runtime
 * `wrangler dev` runs and Cloudflare runs — from a config written here after the bench's
 * wrangler.jsonc. The CPU per request is that one workerd process's, read from /proc like the Node
 * server's: the Worker, its Durable Objects (locally in the same process) and their SQLite storage.
 *
 * Why not `wrangler dev`: it puts a second workerd in front of the Worker (its proxy, ~900 µs of CPU
 * per request here) and attaches the inspector to the Worker's (which then costs ~400 µs for the
 * bare route instead of ~150 µs), so its bare route read 1.3–2.2 ms per request: local dev
 * overhead, not the Worker's, and the same in every route, which squeezed every ratio. A Worker that
 * only answers `Response.json()` costs ~130 µs in workerd alone, the bare Hono route ~150 µs.
 *
 * The Durable Objects' SQLite files go to a tmpfs (/dev/shm) when there is one: on a disk, creating
 * and syncing a file per object costs this machine's file system (ext4 inode allocation, fsync
 * waits) many times what SQLite itself does, and Cloudflare keeps the storage elsewhere anyway.
 * Each call to a Durable Object is counted in test/workers/durable-object-calls.test.ts.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../helpers/ports.js'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'
import { benchSecrets, measureRounds, processCpuMicros, type Rounds } from './server-load.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const CONFIG = 'test/bench/workerd/wrangler.jsonc'
/** As many as the Node bench: local Durable Object calls are in-process, so they don't queue. */
const CONNECTIONS = Number(process.env.BENCH_WORKERD_CONNECTIONS ?? 50)
/**
 * PINs per verify run, made before it in one request to /bench/pins (~3 s): a second such request
 * on the same keep-alive connection was now and then cut by workerd mid-run (undici: "other side
 * closed", not retried for a POST), which failed the whole section. The verify run lasts as many
 * requests, a sixth of them to warm up: ~2 s at this machine's rate.
 */
const VERIFY_PINS = Number(process.env.BENCH_WORKERD_VERIFY_PINS ?? 1_000)
const workerdBinary = (createRequire(import.meta.url)('workerd') as { default: string }).default
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: '1',
}

interface BenchWranglerConfig {
  compatibility_date: string
  compatibility_flags?: string[]
  vars?: Record<string, string>
  durable_objects: { bindings: Array<{ name: string; class_name: string }> }
  migrations: Array<{ new_sqlite_classes?: string[] }>
}

/** Bundles the bench Worker into `directory`/bundle, as `wrangler deploy` would upload it. */
function bundleWorker(directory: string): BenchWranglerConfig {
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
  return JSON.parse(
    // The bench config has comments and trailing commas: JSON without them is enough here.
    readFileSync(join(root, CONFIG), 'utf8')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/,(\s*[}\]])/g, '$1'),
  ) as BenchWranglerConfig
}

/**
 * workerd's own config for the bundle: what wrangler.jsonc declares (compatibility, the Durable
 * Object bindings and their SQLite-backed classes, vars) plus the bench secrets, on `port`.
 */
function workerdConfig(config: BenchWranglerConfig, port: number, stateDirectory: string): string {
  const text = (value: string) => JSON.stringify(value) // the ASCII values here read the same in Cap'n Proto
  const sqlite = new Set(config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []))
  const classes = config.durable_objects.bindings.map((binding) => binding.class_name)
  if (classes.some((name) => !sqlite.has(name)))
    throw new Error(`${CONFIG}: a Durable Object class is not SQLite-backed`)
  const bindings = [
    ...config.durable_objects.bindings.map(
      ({ name, class_name }) => `(name = ${text(name)}, durableObjectNamespace = ${text(class_name)})`,
    ),
    ...Object.entries({ ...config.vars, ...benchSecrets }).map(
      ([name, value]) => `(name = ${text(name)}, text = ${text(value)})`,
    ),
  ]
  const namespaces = [...new Set(classes)].map(
    (name) =>
      `(className = ${text(name)}, uniqueKey = ${text(`two-factor-kit-bench-${name}`)}, enableSql = true)`,
  )
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "state", disk = (path = ${text(stateDirectory)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${text(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "bundle/worker.js")],
  compatibilityDate = ${text(config.compatibility_date)},
  compatibilityFlags = [${(config.compatibility_flags ?? []).map(text).join(', ')}],
  bindings = [${bindings.join(', ')}],
  durableObjectNamespaces = [${namespaces.join(', ')}],
  durableObjectStorage = (localDisk = "state"),
);
`
}

/** The pid of the workerd that serves `configPath`. */
function workerdPid(configPath: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (commandLine[0] === workerdBinary && commandLine.includes(configPath)) return Number(entry)
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no workerd process serves ${configPath}`)
}

export interface WorkerdLoadResult {
  connections: number
  rounds: Rounds
}

export async function measureWorkerdLoad(): Promise<WorkerdLoadResult> {
  const port = await freePort()
  const directory = mkdtempSync(join(tmpdir(), 'tfk-bench-workerd-'))
  const state = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tfk-bench-workerd-state-'))
  const configPath = join(directory, 'workerd.capnp')
  writeFileSync(configPath, workerdConfig(bundleWorker(directory), port, state))
  let workerd: ProcessGroup | undefined
  try {
    workerd = await startProcessGroup({
      name: 'workerd (bench Worker)',
      command: workerdBinary,
      args: ['serve', '--experimental', configPath],
      cwd: directory,
      ready: { url: `http://127.0.0.1:${port}/bare` },
      readyWithinMs: 120_000,
      echoStderr: true,
      cleanUp: () => {
        rmSync(directory, { recursive: true, force: true })
        rmSync(state, { recursive: true, force: true })
      },
    })
    const pid = workerdPid(configPath)
    const { rounds } = await measureRounds(
      `http://127.0.0.1:${port}`,
      { server: () => processCpuMicros(pid) },
      { connections: CONNECTIONS, pinsForVerify: () => VERIFY_PINS },
    )
    return { connections: CONNECTIONS, rounds }
  } finally {
    await workerd?.stop()
  }
}
