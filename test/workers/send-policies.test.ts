/**
 * The anti-fraud policies on workerd with the Durable Object store: range velocity, the conversion
 * breaker and the spend ceiling keep their state in the objects, so concurrent sends agree.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { consoleProvider } from '../../server/providers/console.js'
import { twoFactor, type TwoFactorWorkerEnv } from '../../server/workers.js'
import type { TwoFactorInit } from '../../server/index.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'

const quiet = { info: () => {}, warn: () => {}, error: () => {} }

/** A kit whose other limits stay out of the way; each test uses ranges of its own (the store is shared). */
function kit(overrides: TwoFactorInit) {
  const sms = consoleProvider({ print: null })
  const app = twoFactor(env as TwoFactorWorkerEnv, {
    sms,
    logger: quiet,
    sendPinPerIpLimit: '10000/1h',
    conversionMinSends: 1_000_000,
    conversionMinSendsPerRange: 1_000_000,
    dailySpendLimit: null,
    dailySpendLimitPerCountry: null,
    ...overrides,
  })
  const send = (phoneNumber: string) =>
    app.request('/pin', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.7' },
      body: JSON.stringify({ phoneNumber }),
    })
  return { app, sms, send }
}

/** A fresh 1k range of Croatian mobile numbers: `+38591` and 4 random digits, then 3 for the number. */
function freshRange() {
  const prefix = `+38591${String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000).padStart(4, '0')}`
  return {
    scope: `range:${prefix.slice(1)}`,
    number: (i: number) => `${prefix}${String(i).padStart(3, '0')}`,
  }
}

describe('send policies on Durable Objects', () => {
  it('50 concurrent sends to one 1k range (10/1h): exactly 10 SMS, 40 RANGE_VELOCITY refusals, one block listed', async () => {
    const k = kit({ sendPinPerRangeLimit: '10/1h' })
    const range = freshRange()
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => k.send(range.number(i))))
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 10,
      '403 SEND_BLOCKED': 40,
    })
    expect(k.sms.outbox).toHaveLength(10)
    const blocks = await k.app.policy.blocks()
    expect(blocks.filter((block) => block.scope === range.scope)).toStrictEqual([
      expect.objectContaining({ reason: 'RANGE_VELOCITY', action: 'block', level: 1 }),
    ])
    expect(await k.app.policy.lift(range.scope)).toBe(true)
  })

  it('the breaker: 7 unverified sends to a range (conclusive), then LOW_CONVERSION; the block is in the store for every instance', async () => {
    const first = kit({ conversionMinSendsPerRange: 5 })
    const range = freshRange()
    for (let i = 0; i < 7; i++) expect((await first.send(range.number(i))).status).toBe(201)
    // Another instance (another kit on the same objects) sees the same counters and blocks.
    const second = kit({ conversionMinSendsPerRange: 5 })
    const refused = await second.send(range.number(7))
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { error: Record<string, unknown> }).error).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: range.scope,
    })
    expect((await first.send(range.number(8))).status).toBe(403)
    expect(first.sms.outbox.length + second.sms.outbox.length).toBe(7)
  })

  it('30 concurrent sends against a spend ceiling of 5 SMS: exactly 5 go out', async () => {
    // A country of its own for this test's ceiling: Slovenia, priced at 1 a segment.
    const k = kit({ smsPrices: { SI: 1 }, dailySpendLimitPerCountry: { '*': null, SI: 5 } })
    const before = (await k.app.policy.spend()).countries.SI?.spent ?? 0
    const base = 30_000_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000)
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => k.send(`+386${base + i * 1000}`)),
    )
    const outcomes = tally(await Promise.all(responses.map(sendOutcome)))
    expect(outcomes['201']).toBe(Math.max(0, 5 - before))
    expect(k.sms.outbox).toHaveLength(Math.max(0, 5 - before))
  })
})
