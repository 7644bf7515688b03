/**
 * Starts the demo as `npm start` does (`tsx demo/server.ts`), on a free port, and stops it. The
 * process-group plumbing here is shared with the Workers twin's starter (workers-dev-server.ts).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

export interface DemoServer {
  url: string
  /** Everything the server printed, for failure messages. */
  output: () => string
  /** Stops the whole process group; safe to call twice. */
  stop: () => Promise<void>
}

export interface ServerProcess {
  /** What it is, for error messages: "the demo server", "wrangler dev". */
  name: string
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  url: string
  /** Answers 2xx once the server is ready. */
  readyPath: string
  /** How long the first answer may take (workerd's first start is slow on a busy machine). */
  readyWithinMs: number
  /** Runs once the process group is gone, also when it never became ready. */
  cleanUp?: () => void
}

// Groups still running when the test process exits for any reason (a hook timeout that abandons a
// start, a crash): killed synchronously so no server outlives its test file.
const running = new Set<number>()
process.once('exit', () => {
  for (const group of running) killGroup(group, 'SIGKILL')
})

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal)
  } catch {
    // already gone
  }
}

/**
 * Spawns `command` in its own process group (so npx/tsx/wrangler and their children — workerd —
 * stop together), waits until `url + readyPath` answers, and kills the group if it never does.
 */
export async function startServerProcess(options: ServerProcess): Promise<DemoServer> {
  const { name, url } = options
  let output = ''
  const child = spawn(options.command, options.args, {
    cwd: root,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const group = child.pid!
  running.add(group)
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit')

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      // The leader may have exited while its children (workerd) still run: signal the group anyway.
      killGroup(group, 'SIGTERM')
      const timer = setTimeout(() => killGroup(group, 'SIGKILL'), 5_000)
      if (child.exitCode === null && child.signalCode === null) await exited
      clearTimeout(timer)
      // Whatever ignored SIGTERM in the group (a grandchild) goes now.
      killGroup(group, 'SIGKILL')
      running.delete(group)
      options.cleanUp?.()
    })())

  const deadline = Date.now() + options.readyWithinMs
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`)
      const ready = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.ok,
        () => false, // not listening yet
      )
      if (ready) break
      if (Date.now() > deadline)
        throw new Error(
          `${name} did not answer on ${url} within ${options.readyWithinMs / 1000} s:\n${output}`,
        )
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { url, output: () => output, stop }
}

export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const port = await freePort()
  return startServerProcess({
    name: 'the demo server',
    command: process.execPath,
    args: [join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=source', 'demo/server.ts'],
    env: { ...process.env, NODE_ENV: 'development', ...env, PORT: String(port), HOST: '127.0.0.1' },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/2fa/config',
    readyWithinMs: 60_000,
  })
}
