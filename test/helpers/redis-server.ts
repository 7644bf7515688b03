/**
 * A real, throwaway `redis-server` for tests: 127.0.0.1, a free port, nothing persisted. It can be
 * stopped and started again on the same port, which is how the fault tests cut Redis off mid-flow.
 *
 * Needs Debian's redis-server (`bash scripts/system-deps.sh` installs it).
 */
import { Redis } from 'ioredis'
import { spawnSync } from 'node:child_process'
import { createConnection } from 'node:net'
import { afterAll, beforeAll } from 'vitest'
import { failFastRedisOptions } from '../../server/stores/redis.js'
import { freePort } from './ports.js'
import { startProcessGroup, type ProcessGroup } from './processes.js'

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL, as a crash would) and waits until it is gone. */
  stop(): Promise<void>
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  start(): Promise<void>
}

function findRedisServer(): string {
  for (const candidate of ['/usr/bin/redis-server', 'redis-server']) {
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' })
    if (probe.status === 0) return candidate
  }
  throw new Error('redis-server not found: run `bash scripts/system-deps.sh` (Debian redis-server) first')
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
  let server: ProcessGroup | undefined

  async function start(): Promise<void> {
    if (server?.running()) throw new Error('redis-server is running already')
    server = await startProcessGroup({
      name: `redis-server on port ${port}`,
      command: binary,
      // `--save ''` and `--appendonly no`: nothing on disk, so a restart comes back empty like a crash.
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/tmp',
      ],
      ready: { check: () => answersPing(port), what: 'answer PING' },
      readyWithinMs: 10_000,
      stopSignal: 'SIGKILL',
    })
  }

  async function stop(): Promise<void> {
    await server?.stop()
  }

  await start()
  return { port, url: `redis://127.0.0.1:${port}`, start, stop }
}

export interface RedisForTests {
  /** The file's own redis-server (available once the file's tests run). */
  readonly server: RedisServer
  /** A connected client with `failFastRedisOptions`, as a deployment would make it. */
  readonly client: Redis
}

/**
 * A redis-server of the test file's own and a connected client: started before the file's tests,
 * stopped after them. The client's reconnect noise while a test has Redis down is silenced: each
 * command reports its own failure.
 */
export function useRedisServer(): RedisForTests {
  let server: RedisServer | undefined
  let client: Redis | undefined
  beforeAll(async () => {
    server = await startRedisServer()
    client = new Redis(server.url, { ...failFastRedisOptions, lazyConnect: true })
    client.on('error', () => {})
    await client.connect()
  })
  afterAll(async () => {
    client?.disconnect()
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('useRedisServer(): the server starts before the tests, not at import')
      return server
    },
    get client() {
      if (!client) throw new Error('useRedisServer(): the client connects before the tests, not at import')
      return client
    },
  }
}
