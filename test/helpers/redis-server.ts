/**
 * A real, throwaway `redis-server` for tests: 127.0.0.1, a free port, nothing persisted. It can be
 * stopped and started again on the same port, which is how the fault tests cut Redis off mid-flow.
 *
 * Needs Debian's redis-server (`bash scripts/system-deps.sh` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL, as a crash would) and waits until it is gone. */
  stop(): Promise<void>
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  start(): Promise<void>
}

const READY_TIMEOUT_MS = 10_000

function findRedisServer(): string {
  for (const candidate of ['/usr/bin/redis-server', 'redis-server']) {
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' })
    if (probe.status === 0) return candidate
  }
  throw new Error('redis-server not found: run `bash scripts/system-deps.sh` (Debian redis-server) first')
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (!address || typeof address === 'string') throw new Error('could not find a free port')
  return address.port
}

/** One PING over a raw socket: true when the server answers PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer()
  const port = await freePort()
  let child: ChildProcess | undefined
  let output = ''

  // A test run that dies without its afterAll must not leave a redis-server behind.
  process.once('exit', () => child?.kill('SIGKILL'))

  async function start(): Promise<void> {
    if (child) throw new Error('redis-server is running already')
    output = ''
    // `--save ''` and `--appendonly no`: nothing on disk, so a restart comes back empty like a crash.
    const started = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = started
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    started.once('exit', () => {
      if (child === started) child = undefined
    })
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (!(await answersPing(port))) {
      if (!child) throw new Error(`redis-server exited on port ${port}:\n${output}`)
      if (Date.now() > deadline)
        throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`)
      await sleep(25)
    }
  }

  async function stop(): Promise<void> {
    const running = child
    if (!running) return
    const exited = once(running, 'exit')
    running.kill('SIGKILL')
    await exited
  }

  await start()
  return { port, url: `redis://127.0.0.1:${port}`, start, stop }
}
