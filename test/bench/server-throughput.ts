/**
 * Requests per second, measured in one run on one machine: a bare Hono route (reads the JSON body,
 * answers JSON) as the yardstick,
 * then POST /pin (console provider, memory store) and POST /pin/:id/verify (which signs a JWT).
 * Only the ratios mean anything across machines; the targets are ratios.
 *
 * Fair to both sides: the yardstick gets the same requests as POST /pin (a new number each, built by
 * autocannon's `setupRequest`, which alone costs the load generator ~15 %), and every server is
 * warmed up (JIT) for WARM_UP_SECONDS before the measured run. The yardstick runs first and last.
 */
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import { Hono } from 'hono'
import { consoleProvider, memoryStore, twoFactor } from '../../server/index.js'
import { serve } from '../../server/node.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const WARM_UP_SECONDS = 1
const CONNECTIONS = 20
const quiet = { info() {}, warn() {}, error() {} }
const huge = '999999999/1d'

function listen(app: Hono): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    )
  })
}

function load(options: autocannon.Options, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...options, duration }, (error, result) =>
      error ? reject(error) : resolve(result),
    )
  })
}

/** Successful requests per second, after a warm-up with the same requests. */
async function run(options: autocannon.Options): Promise<number> {
  await load(options, WARM_UP_SECONDS)
  const result = await load(options, SECONDS)
  const ok = result.requests.total - result.non2xx - result.errors
  if (result.non2xx > 0 || result.errors > 0) {
    console.warn(
      `  (${options.title}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.requests.total})`,
    )
  }
  return ok / (result.duration || SECONDS)
}

/** A distinct valid Croatian mobile number per index. */
const numberFor = (index: number) => `+38591${String(1_000_000 + index).padStart(7, '0')}`

function kit() {
  // The PIN is read from the outbox right after each send: a short outbox is enough.
  const sms = consoleProvider({ print: null, outboxSize: 16 })
  const app = twoFactor({
    environment: 'development',
    secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    logger: quiet,
    store: memoryStore({ maxEntries: 5_000_000 }),
    sms,
    resendCooldown: '1ms',
    sendPinPerPhoneNumberLimit: huge,
    sendPinPerApplicationLimit: huge,
    sendPinPerRangeLimit: huge,
    sendPinPerWideRangeLimit: huge,
    sendPinPerIpLimit: huge,
  })
  return { app, sms }
}

async function measureSend(): Promise<number> {
  const sending = kit()
  const sendServer = await listen(new Hono().route('/2fa', sending.app))
  let sent = 0
  const sendRps = await run({
    title: 'send',
    url: `${sendServer.url}/2fa/pin`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ phoneNumber: numberFor(sent++) }) }),
      },
    ],
  })
  await sendServer.close()
  return sendRps
}

/** Verification consumes its PIN, so `needed` PINs are made first (in-process, not measured). */
async function measureVerify(needed: number): Promise<number> {
  const verifying = kit()
  const pins: Array<{ pinId: string; pin: string }> = []
  for (let i = 0; i < needed; i++) {
    const response = await verifying.app.request('/pin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: numberFor(i) }),
    })
    const { pinId } = (await response.json()) as { pinId: string }
    pins.push({ pinId, pin: verifying.sms.outbox.at(-1)!.text.split(' ')[0]! })
  }
  const verifyServer = await listen(new Hono().route('/2fa', verifying.app))
  let next = 0
  const verifyRps = await run({
    title: 'verify',
    url: verifyServer.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const { pinId, pin } = pins[next++ % pins.length]!
          return { ...request, path: `/2fa/pin/${pinId}/verify`, body: JSON.stringify({ pin }) }
        },
      },
    ],
  })
  await verifyServer.close()
  return verifyRps
}

export async function measureServerThroughput(): Promise<Array<{ name: string; requestsPerSecond: number }>> {
  // The yardstick handles the same request as cheaply as Hono can: read the JSON body, answer JSON.
  const bare = new Hono().post('/pin', async (c) =>
    c.json({ received: (await c.req.json()) as unknown }, 201),
  )
  const bareServer = await listen(bare)
  let asked = 0
  const measureBare = () =>
    run({
      title: 'bare',
      url: `${bareServer.url}/pin`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ phoneNumber: numberFor(asked++) }),
          }),
        },
      ],
    })
  const bareBefore = await measureBare()

  // Each kit lives only inside its own measurement, so one's heap doesn't weigh on the next.
  const sendRps = await measureSend()
  const verifyRps = await measureVerify(Math.ceil(sendRps * (WARM_UP_SECONDS + SECONDS) * 1.5) + 2_000)

  // The yardstick again, last: the better of its two runs counts, so neither a cold start nor a
  // noisy neighbour during the first run can flatter the ratios.
  const bareRps = Math.max(bareBefore, await measureBare())
  await bareServer.close()

  return [
    { name: 'bare Hono route', requestsPerSecond: bareRps },
    { name: 'POST /pin (console provider)', requestsPerSecond: sendRps },
    { name: 'POST /pin/:id/verify (+ JWT)', requestsPerSecond: verifyRps },
  ]
}
