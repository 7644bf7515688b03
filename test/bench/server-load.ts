/**
 * Server CPU per request and requests per second, measured the way a deployment runs: the server
 * alone in its process (server-process.ts), the load generator (autocannon, 50 connections) in
 * this one. CPU is the server process's utime + stime from /proc/<pid>/stat before and after each
 * measured window, so it doesn't depend on how much of the machine the load generator or a
 * neighbour takes; req/s does, which is why only ratios to the yardstick (`GET /bare` on the same
 * server, in the same round) mean anything. Rounds are interleaved — bare, send, verify, bare… —
 * and each figure is the median of its rounds.
 */
import autocannon from 'autocannon'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'
import { buildBenchServer } from './build-server.js'
import { benchNumber, type BenchPin } from './bench-app.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const WARM_UP_SECONDS = 1
const CONNECTIONS = 50
/** Sequential requests over which Redis commands and round trips are counted. */
const COUNTED_REQUESTS = 50
const root = fileURLToPath(new URL('../..', import.meta.url))
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** Test values: a shared store needs a fixed secret and signing key in every process. */
export const benchSecrets = {
  TWO_FACTOR_SECRET: 'bench-Xk4pQ9vR2mL7wZ0tY5nB8cF1hJ6gD3s',
  TWO_FACTOR_PRIVATE_JWK: JSON.stringify({
    crv: 'Ed25519',
    d: 'MWTUnJQm_Ozy4bqw6OBa4__rcw3fcd0mP93eBsowGOE',
    x: '2xf5u7kPKZx5GM4qJf0ZPEMYHPQhXKb16VwtzhDjtJE',
    kty: 'OKP',
    alg: 'EdDSA',
  }),
}

/** CPU time (user + system, every thread) a process has used so far, in µs. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
  // utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export interface Window {
  requestsPerSecond: number
  cpuMicrosPerRequest: number
  /** The same for the store's own process (redis-server), when there is one. */
  storeCpuMicrosPerRequest?: number
  /** Answers that weren't 2xx, and socket errors: a clean run has none. */
  failed: number
}

export interface ServerLoadResult {
  store: 'memory' | 'redis'
  rounds: Rounds
  /** Redis only: per request, counted over COUNTED_REQUESTS sequential requests of each kind. */
  redis?: {
    send: { commands: number; roundTrips: number; commandstats: number }
    verify: { commands: number; roundTrips: number; commandstats: number }
  }
}

/** How long a run lasts: for some seconds, or for a number of requests. */
type Span = { seconds: number } | { requests: number }

function load(options: autocannon.Options, span: Span): Promise<autocannon.Result> {
  const length = 'seconds' in span ? { duration: span.seconds } : { amount: span.requests }
  return new Promise((resolve, reject) =>
    autocannon({ ...options, ...length }, (error, result) => (error ? reject(error) : resolve(result))),
  )
}

/** A warm-up with the same requests (JIT, the store's first windows), then the measured window. */
async function measure(
  cpu: CpuReaders,
  options: autocannon.Options,
  warmUp: Span = { seconds: WARM_UP_SECONDS },
  window: Span = { seconds: SECONDS },
): Promise<Window> {
  await load(options, warmUp)
  const serverBefore = cpu.server()
  const storeBefore = cpu.store?.()
  const started = performance.now()
  const result = await load(options, window)
  const seconds = (performance.now() - started) / 1000
  const server = cpu.server() - serverBefore
  const store = storeBefore === undefined ? undefined : cpu.store!() - storeBefore
  const failed = result.non2xx + result.errors
  const requests = Math.max(1, result.requests.total)
  return {
    requestsPerSecond: (result.requests.total - failed) / seconds,
    cpuMicrosPerRequest: server / requests,
    ...(store === undefined ? {} : { storeCpuMicrosPerRequest: store / requests }),
    failed,
  }
}

/** Read the CPU time (µs) the server's processes, and the store's if it has its own, used so far. */
export interface CpuReaders {
  server: () => number
  store?: () => number
}

const json = { 'content-type': 'application/json' }

export interface BenchServer {
  /** Where it listens, and the pid of the process that serves (its CPU is the server's). */
  url: string
  pid: number
  /** The throwaway redis-server of a Redis run. */
  redis: RedisServer | undefined
  /** Stops the server and its redis-server. */
  stop(): Promise<void>
}

/**
 * The bench server (server-process.ts, compiled as an installed package runs) in its own process,
 * with the memory store or on a throwaway local redis-server; `env` on top (BENCH_PROFILE, say).
 */
export async function startBenchServer(
  store: 'memory' | 'redis',
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const serverEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', ...benchSecrets, ...env }
  delete serverEnv.REDIS_URL
  const redis = store === 'redis' ? await startRedisServer() : undefined
  if (redis) serverEnv.REDIS_URL = redis.url
  let server: ProcessGroup
  try {
    server = await startProcessGroup({
      name: `the bench server (${store} store)`,
      command: process.execPath,
      args: [await buildBenchServer()],
      cwd: root,
      env: serverEnv,
      ready: { output: /LISTENING (\d+) (\d+)/ },
      readyWithinMs: 60_000,
      echoStderr: true,
    })
  } catch (error) {
    await redis?.stop()
    throw error
  }
  return {
    url: `http://127.0.0.1:${server.readyMatch![1]}`,
    pid: Number(server.readyMatch![2]),
    redis,
    async stop() {
      await server.stop()
      await redis?.stop()
    },
  }
}

export async function measureServerLoad(store: 'memory' | 'redis'): Promise<ServerLoadResult> {
  const { url, pid, redis, stop } = await startBenchServer(store)
  try {
    let storeCpu: (() => number) | undefined
    if (redis) {
      const client = new Redis(redis.url)
      const redisPid = Number(/process_id:(\d+)/.exec(await client.info('server'))![1])
      client.disconnect()
      storeCpu = () => processCpuMicros(redisPid)
    }
    const { rounds, makePins } = await measureRounds(
      url,
      { server: () => processCpuMicros(pid), ...(storeCpu ? { store: storeCpu } : {}) },
      { calibrate: true },
    )
    const result: ServerLoadResult = { store, rounds }
    if (redis) result.redis = await countRedisTraffic(url, redis.url, makePins)
    return result
  } finally {
    await stop()
  }
}

/** Calls of every command but INFO itself, from Redis' own count. */
async function commandCalls(client: Redis): Promise<number> {
  const info = await client.info('commandstats')
  let calls = 0
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (match[1] !== 'info') calls += Number(match[2])
  return calls
}

/** Commands and round trips per send and per verify, over sequential requests (one in flight). */
async function countRedisTraffic(
  url: string,
  redisUrl: string,
  makePins: (count: number) => Promise<BenchPin[]>,
): Promise<NonNullable<ServerLoadResult['redis']>> {
  const client = new Redis(redisUrl)
  const traffic = async () =>
    (await (await fetch(`${url}/bench/redis`)).json()) as { commands: number; roundTrips: number }
  const count = async (request: (i: number) => Promise<Response>) => {
    const before = { ...(await traffic()), commandstats: await commandCalls(client) }
    for (let i = 0; i < COUNTED_REQUESTS; i++) {
      const response = await request(i)
      if (!response.ok) throw new Error(`counting Redis traffic: ${response.status} ${await response.text()}`)
    }
    const commandstats = await commandCalls(client)
    const after = await traffic()
    return {
      commands: (after.commands - before.commands) / COUNTED_REQUESTS,
      roundTrips: (after.roundTrips - before.roundTrips) / COUNTED_REQUESTS,
      commandstats: (commandstats - before.commandstats) / COUNTED_REQUESTS,
    }
  }
  try {
    const send = await count((i) =>
      fetch(`${url}/2fa/pin`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ phoneNumber: benchNumber(i, '95') }),
      }),
    )
    const pins = await makePins(COUNTED_REQUESTS)
    const verify = await count((i) =>
      fetch(`${url}/2fa/pin/${pins[i]!.pinId}/verify`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ pin: pins[i]!.pin }),
      }),
    )
    return { send, verify }
  } finally {
    client.disconnect()
  }
}

/**
 * Calibration routes of the Node bench server (`GET /bench/spin/<µs>`): the yardstick's answer after
 * spending that much CPU in JavaScript. They show what a route with that much work of its own
 * measures against the yardstick on this machine — the per-request cost of the HTTP stack and the
 * kernel is not fixed, it grows as the rate falls — so a ratio target can be read as the µs of
 * work it leaves the kit.
 */
export const SPIN_MICROS = [100, 300] as const

export interface Round {
  bare: Window
  send: Window
  verify: Window
  /** The calibration routes, by µs spent (Node only). */
  spin?: Record<number, Window>
  /** The floor's send and verification (floor.ts; Node only). */
  floor?: { send: Window; verify: Window }
}
export type Rounds = Round[]

export interface RoundsOptions {
  /** @default 50 */
  connections?: number
  /**
   * PINs to make for a round's verify run, from the last verify run's req/s (undefined before the
   * first). Made before the run, since each verification uses one up.
   * @default enough for WARM_UP_SECONDS + SECONDS at that rate, with room
   */
  pinsForVerify?: (lastVerifyRate: number | undefined) => number
  /**
   * Measure the calibration routes (`GET /bench/spin/<µs>`, SPIN_MICROS) and the floor's send and
   * verification (floor.ts) each round, after bare.
   * @default false (the workerd bench Worker has none: time stands still while a Worker runs)
   */
  calibrate?: boolean
}

/**
 * Makes PINs through the bench server at `url` (`POST /bench/pins`), each call going on from the
 * numbers the last one used. In chunks: one request that makes tens of thousands of PINs would
 * outlast some timeouts.
 */
export function benchPinMaker(url: string): (count: number) => Promise<BenchPin[]> {
  let made = 0
  return async (count) => {
    const pins: BenchPin[] = []
    while (pins.length < count) {
      const chunk = Math.min(1_000, count - pins.length)
      const response = await fetch(`${url}/bench/pins`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ count: chunk, from: made }),
      })
      made += chunk
      if (!response.ok) throw new Error(`/bench/pins: ${response.status} ${await response.text()}`)
      pins.push(...((await response.json()) as BenchPin[]))
    }
    return pins
  }
}

/**
 * ROUNDS interleaved rounds of bare, send and verify against a bench server (Node or workerd) at
 * `url`, whose CPU time `cpu` reads.
 */
export async function measureRounds(
  url: string,
  cpu: CpuReaders,
  options: RoundsOptions = {},
): Promise<{ rounds: Rounds; makePins: (count: number) => Promise<BenchPin[]> }> {
  const connections = options.connections ?? CONNECTIONS
  let sent = 0
  let flooredSends = 0
  const makePins = benchPinMaker(url)

  const rounds: Rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const bare = await measure(cpu, { connections, url: `${url}/bare` })
    let spin: Round['spin']
    let floor: Round['floor']
    if (options.calibrate) {
      spin = {}
      for (const micros of SPIN_MICROS)
        spin[micros] = await measure(cpu, { connections, url: `${url}/bench/spin/${micros}` })
      floor = {
        send: await measure(cpu, {
          connections,
          url: `${url}/bench/floor/send`,
          method: 'POST',
          headers: json,
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                body: JSON.stringify({ phoneNumber: benchNumber(flooredSends++, '95') }),
              }),
            },
          ],
        }),
        verify: await measure(cpu, {
          connections,
          url: `${url}/bench/floor/verify`,
          method: 'POST',
          headers: json,
          body: JSON.stringify({ pinId: 'floor', pin: '123456' }),
        }),
      }
      const reset = await fetch(`${url}/bench/floor/reset`, { method: 'POST' })
      if (!reset.ok) throw new Error(`/bench/floor/reset: ${reset.status}`)
    }
    const send = await measure(cpu, {
      connections,
      url: `${url}/2fa/pin`,
      method: 'POST',
      headers: json,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ phoneNumber: benchNumber(sent++) }),
          }),
        },
      ],
    })
    const lastVerifyRate = rounds.at(-1)?.verify.requestsPerSecond
    const pins = await makePins(
      options.pinsForVerify?.(lastVerifyRate) ??
        // Before the first verify run, a guess: a few times the send rate, at most the yardstick's.
        Math.ceil(
          (lastVerifyRate ?? Math.min(bare.requestsPerSecond, send.requestsPerSecond * 5)) *
            (WARM_UP_SECONDS + SECONDS) *
            1.2,
        ) + 100,
    )
    let next = 0
    // The verify run lasts as many requests as there are PINs (a sixth of them to warm up), so
    // none is verified twice however fast it goes.
    const warmUp = Math.ceil(pins.length / 6)
    const verify = await measure(
      cpu,
      {
        connections,
        url,
        method: 'POST',
        headers: json,
        requests: [
          {
            setupRequest: (request) => {
              const { pinId, pin } = pins[next++ % pins.length]!
              return { ...request, path: `/2fa/pin/${pinId}/verify`, body: JSON.stringify({ pin }) }
            },
          },
        ],
      },
      { requests: warmUp },
      { requests: pins.length - warmUp },
    )
    rounds.push({ bare, send, verify, ...(spin ? { spin } : {}), ...(floor ? { floor } : {}) })
  }

  return { rounds, makePins }
}
