/**
 * What the benchmark servers (Node in server-process.ts, workerd in workerd/worker.ts) add around
 * the kit: the limits that let a load generator send from one IP to ever new numbers, the yardstick
 * route, and a bench-only route that makes PINs for the verify runs. Web APIs only: it runs on both.
 */
import type { Hono } from 'hono'
import type { TwoFactorInit } from '../../server/index.js'

const unlimited = '999999999/1d' // the most parseRate reads (nine digits)

/**
 * Every policy stays on (each send still counts against it), but none trips: the load comes from
 * one IP to a new number each time, far faster than any real traffic. The per-number quota and the
 * resend cooldown keep their defaults, since no number is asked for twice.
 */
export const benchLimits = {
  sendPinPerApplicationLimit: unlimited,
  sendPinPerIpLimit: unlimited,
  sendPinPerRangeLimit: unlimited,
  sendPinPerWideRangeLimit: unlimited,
  // The most resolve-policy allows: the conversion breaker counts but never judges (no verifies
  // follow most sends here, which would look like pumping).
  conversionMinSends: 1_000_000,
  conversionMinSendsPerRange: 1_000_000,
  dailySpendLimit: 1e12,
  dailySpendLimitPerCountry: 1e12,
} satisfies TwoFactorInit

/** A distinct valid Croatian mobile number per index and prefix ('91', '98'…), 10 million each. */
export function benchNumber(index: number, prefix = '91'): string {
  return `+385${prefix}${String(1_000_000 + (index % 9_000_000)).padStart(7, '0')}`
}

export interface BenchPin {
  pinId: string
  pin: string
}

/**
 * Mounts `GET /bare` — the yardstick: as little as Hono can do for a JSON answer — and
 * `POST /bench/pins {count, from}`, which makes `count` PINs through the kit's own `POST /pin`
 * (in-process, one after another, reading each PIN from the one-entry outbox) and answers them.
 * The verify runs need PINs; making them here, outside the measured window, keeps the verify
 * window's server CPU to verification alone.
 */
export function mountBenchRoutes(
  app: Hono,
  kit: { request: Hono['request'] },
  outbox: ReadonlyArray<{ text: string }>,
): void {
  app.get('/bare', (c) => c.json({ ok: true }))
  app.post('/bench/pins', async (c) => {
    const { count, from } = (await c.req.json()) as { count: number; from: number }
    const pins: BenchPin[] = []
    for (let i = 0; i < count; i++) {
      const response = await kit.request('/pin', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phoneNumber: benchNumber(from + i, '98') }),
      })
      if (response.status !== 201) return c.json({ error: await response.text() }, 500)
      const { pinId } = (await response.json()) as { pinId: string }
      const pin = /\b\d{6}\b/.exec(outbox.at(-1)?.text ?? '')?.[0]
      if (!pin) return c.json({ error: 'no PIN in the outbox' }, 500)
      pins.push({ pinId, pin })
    }
    return c.json(pins)
  })
}
