/**
 * Soak: the kit's server in its own process under mixed traffic for BENCH_SOAK_SECONDS (default
 * 30) — ordinary clients sending and verifying, one client flooding sends it is refused, garbage
 * bodies and unknown pinIds — with its memory (after a full GC) and the store's size read before
 * and after. Memory that grows with refused traffic is what an attacker would use to fill a server.
 */
import autocannon from 'autocannon'
import { fileURLToPath } from 'node:url'
import { startProcessGroup } from '../helpers/processes.js'

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 30)
const root = fileURLToPath(new URL('../..', import.meta.url))

interface Stats {
  rss: number
  heapUsed: number
  storeSize: number
}

export interface SoakResult {
  seconds: number
  requests: number
  statuses: Record<string, number>
  before: Stats
  after: Stats
}

export async function soak(): Promise<SoakResult> {
  const server = await startProcessGroup({
    name: 'the soak server',
    command: process.execPath,
    args: ['--expose-gc', '--import', 'tsx', 'test/bench/soak-server.ts'],
    cwd: root,
    ready: { output: /listening on (\d+)/ },
    readyWithinMs: 30_000,
  })
  try {
    const url = `http://127.0.0.1:${server.readyMatch![1]}`
    const stats = async () => (await (await fetch(`${url}/stats`)).json()) as Stats
    let counter = 0
    const json = { 'Content-Type': 'application/json' }
    const traffic = (duration: number) =>
      new Promise<autocannon.Result>((resolve, reject) =>
        autocannon(
          {
            url,
            connections: 20,
            duration,
            requests: [
              {
                method: 'POST',
                path: '/2fa/pin',
                headers: json,
                // Ordinary clients: a new IP and number each.
                setupRequest: (request) => {
                  counter += 1
                  // Random digits after the operator code: ordinary numbers spread over many prefixes.
                  const number = `+38591${Math.floor(1_000_000 + Math.random() * 8_999_999)}`
                  return {
                    ...request,
                    headers: { ...json, 'X-Bench-IP': `198.51.${(counter >> 8) & 255}.${counter & 255}` },
                    body: JSON.stringify({ phoneNumber: number }),
                  }
                },
              },
              {
                method: 'POST',
                path: '/2fa/pin',
                // One client flooding: refused after its per-IP limit, to ever new numbers.
                setupRequest: (request) => {
                  counter += 1
                  const number = `+38598${String(1_000_000 + (counter % 9_000_000)).padStart(7, '0')}`
                  return {
                    ...request,
                    headers: { ...json, 'X-Bench-IP': '203.0.113.66' },
                    body: JSON.stringify({ phoneNumber: number }),
                  }
                },
              },
              { method: 'POST', path: '/2fa/pin', headers: json, body: '{"phoneNumber": [' },
              {
                method: 'POST',
                path: '/2fa/pin/0123456789ABCDEF0123456789ABCDEF/verify',
                headers: json,
                body: '{"pin":"123456"}',
              },
            ],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      )
    await traffic(3) // warm-up: JIT and the first windows
    const before = await stats()
    const result = await traffic(SECONDS)
    const after = await stats()
    const statuses: Record<string, number> = {}
    for (const [code, count] of Object.entries(result.statusCodeStats ?? {}))
      statuses[code] = (count as { count: number }).count
    return { seconds: SECONDS, requests: result.requests.total, statuses, before, after }
  } finally {
    await server.stop()
  }
}
