/**
 * The one way the suites start a server process (the demo, wrangler dev, redis-server, a kit
 * process): spawned in its own process group, so that npx/tsx/wrangler and their children (workerd,
 * the node that tsx runs) stop together; ready once it says so; stopped as a group, also when it
 * never became ready; its last output kept for the error message.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'

/** How a process tells that it serves. */
export type Readiness =
  /** `GET url` answers 2xx. */
  | { url: string }
  /** It printed a line that matches (on stdout or stderr); the match is kept as `readyMatch`. */
  | { output: RegExp }
  /** `check()` resolves true; `what` says what was waited for ("answer PING"). */
  | { check: () => Promise<boolean>; what: string }

export interface ProcessGroupOptions {
  /** What it is, for error messages: "the demo server", "wrangler dev". */
  name: string
  command: string
  args: readonly string[]
  cwd?: string
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  ready: Readiness
  /** How long it may take to become ready (workerd's first start is slow on a busy machine). */
  readyWithinMs: number
  /** SIGTERM lets it shut down; SIGKILL stops it as a crash would. @default 'SIGTERM' */
  stopSignal?: NodeJS.Signals
  /** Also print what it writes to stderr as it comes, so its errors show in the test log. */
  echoStderr?: boolean
  /** Runs once the group is gone, also when it never became ready. */
  cleanUp?: () => void
}

export interface ProcessGroup {
  readonly name: string
  /** What `ready.output` matched (the port a process chose, say); undefined for other checks. */
  readonly readyMatch: RegExpExecArray | undefined
  /** The last 64 KiB it printed (stdout and stderr), for failure messages. */
  output(): string
  /** Whether the group's leader still runs. */
  running(): boolean
  /** Signals the whole group, SIGKILL after 5 s, and waits for the leader; safe to call twice. */
  stop(): Promise<void>
}

const OUTPUT_KEPT = 64 * 1024
const POLL_MS = 50
const STOP_GRACE_MS = 5_000

// Groups still running when the test process exits for any reason (a hook timeout that abandons a
// start, a crash): killed synchronously, so no server outlives its test file.
const runningGroups = new Set<number>()
process.once('exit', () => {
  for (const group of runningGroups) signalGroup(group, 'SIGKILL')
})

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal)
  } catch {
    // already gone
  }
}

async function isReady(ready: Readiness, output: string): Promise<RegExpExecArray | boolean> {
  if ('url' in ready) {
    return fetch(ready.url, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false, // not listening yet
    )
  }
  if ('output' in ready) return ready.output.exec(output) ?? false
  return ready.check()
}

function waitedFor(ready: Readiness): string {
  if ('url' in ready) return `answer on ${ready.url}`
  if ('output' in ready) return `print ${ready.output}`
  return ready.what
}

export async function startProcessGroup(options: ProcessGroupOptions): Promise<ProcessGroup> {
  const { name } = options
  let output = ''
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const exited = once(child, 'exit')
  exited.catch(() => undefined) // a spawn error rejects it; reported below
  // A spawn failure (no such binary) arrives as an 'error' event, with an 'exit' only sometimes.
  let spawnError: Error | undefined
  child.once('error', (error) => (spawnError = error))
  const group = child.pid
  if (group !== undefined) runningGroups.add(group)
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  if (options.echoStderr) child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  const running = () => child.exitCode === null && child.signalCode === null && !spawnError

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      if (group !== undefined) {
        // The leader may have exited while its children (workerd) still run: signal the group anyway.
        signalGroup(group, options.stopSignal ?? 'SIGTERM')
        const forced = setTimeout(() => signalGroup(group, 'SIGKILL'), STOP_GRACE_MS)
        if (running()) await exited
        clearTimeout(forced)
        // Whatever ignored the signal in the group (a grandchild) goes now.
        signalGroup(group, 'SIGKILL')
        runningGroups.delete(group)
      }
      options.cleanUp?.()
    })())

  let readyMatch: RegExpExecArray | undefined
  const deadline = Date.now() + options.readyWithinMs
  try {
    for (;;) {
      if (spawnError) throw new Error(`${name} could not start: ${spawnError.message}`)
      if (!running()) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`)
      const ready = await isReady(options.ready, output)
      if (ready) {
        if (typeof ready === 'object') readyMatch = ready
        break
      }
      if (Date.now() > deadline) {
        const seconds = options.readyWithinMs / 1000
        throw new Error(`${name} did not ${waitedFor(options.ready)} within ${seconds} s:\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { name, readyMatch, output: () => output, running, stop }
}
