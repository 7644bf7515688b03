// The anti-fraud and cost policies: each refuses before anything is paid (no SMS, no lookup), says
// why (403 SEND_BLOCKED with a reason and a scope), keeps its state in the store, and in shadow mode
// decides the same without refusing.
import { describe, expect, it } from 'vitest'
import type { TwoFactorEvent } from '../../server/core/events.js'
import type { LookupResult, SmsProvider } from '../../server/providers/types.js'
import type { TwoFactorInit } from '../../server/index.js'
import { errorOf, makeKit } from '../helpers/kit.js'
import { turnstileCaptcha } from '../../server/captcha/turnstile.js'
import { FAKE_TURNSTILE_SECRET, FAKE_TURNSTILE_SITE_KEY, startFakeTurnstile } from '../fakes/turnstile.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** A lookup provider that records every number it is asked about. */
function recordingLookup(network: LookupResult['network'] = { mcc: '219', mnc: '10', name: 'A1 HR' }) {
  const asked: string[] = []
  const provider: SmsProvider = {
    name: 'lookup-fake',
    async send() {
      throw new Error('the lookup provider sends nothing')
    },
    async lookup(e164: string): Promise<LookupResult> {
      asked.push(e164)
      return { valid: true, reachable: true, lineType: 'mobile', network, raw: {} }
    },
  }
  return { provider, asked }
}

/** A kit with a recording lookup and an event log; limits that stay out of the way unless asked. */
function policyKit(overrides: TwoFactorInit = {}) {
  const lookup = recordingLookup()
  const events: TwoFactorEvent[] = []
  const kit = makeKit({
    lookup: lookup.provider,
    sendPinPerIpLimit: '100000/1h',
    onEvent: (event) => {
      events.push(event)
    },
    ...overrides,
  })
  const send = (phoneNumber: string, body: Record<string, unknown> = {}) =>
    kit.post('/pin', { phoneNumber, ...body })
  return { ...kit, lookup, events, send }
}

/** Croatian mobile numbers in one 1k range: +385 91 123 4xxx. */
const inRange = (i: number) => `+3859112340${String(i).padStart(2, '0')}`
/** Croatian mobile numbers, each in its own 1k range. */
const spread = (i: number) => `+38591${String(100 + i).padStart(3, '0')}5678`

async function blocked(response: Response) {
  expect(response.status).toBe(403)
  return errorOf(response)
}

describe('countries', () => {
  it('a country outside the allow-list: 403 SEND_BLOCKED COUNTRY_NOT_ALLOWED, no lookup, no SMS', async () => {
    const kit = policyKit({ allowedCountries: ['DE'] })
    expect(await blocked(await kit.send('+385911234567'))).toStrictEqual({
      code: 'SEND_BLOCKED',
      message: expect.any(String),
      reason: 'COUNTRY_NOT_ALLOWED',
      scope: 'country:HR',
    })
    expect(kit.lookup.asked).toHaveLength(0)
    expect(kit.sms.outbox).toHaveLength(0)
    expect((await kit.send('+4915112345678')).status).toBe(201)
  })

  it('a denied country is refused even under "*"; the others pass', async () => {
    const kit = policyKit({ allowedCountries: '*', deniedCountries: ['HR'] })
    expect(await blocked(await kit.send('+385911234567'))).toMatchObject({
      reason: 'COUNTRY_NOT_ALLOWED',
      scope: 'country:HR',
    })
    expect(kit.lookup.asked).toHaveLength(0)
    expect(kit.sms.outbox).toHaveLength(0)
    expect((await kit.send('+33612345678')).status).toBe(201)
  })

  it.each(['+881612345678', '+870773111632'])(
    'a satellite number (%s) is HIGH_RISK_DESTINATION under "*": no lookup, no SMS',
    async (number) => {
      const kit = policyKit({ allowedCountries: '*' })
      const error = await blocked(await kit.send(number))
      expect(error).toMatchObject({ reason: 'HIGH_RISK_DESTINATION' })
      expect(error.scope).toMatch(/^country:\+8[78][01]$/)
      expect(kit.lookup.asked).toHaveLength(0)
      expect(kit.sms.outbox).toHaveLength(0)
    },
  )

  it('a high-risk calling code named in allowedCountries ("+881") is accepted', async () => {
    const kit = policyKit({ allowedCountries: ['HR', '+881'] })
    expect((await kit.send('+881612345678')).status).toBe(201)
    expect(kit.sms.outbox).toHaveLength(1)
  })
})

describe('range velocity', () => {
  it('the 11th send to one 1k range in an hour (10/1h) is refused and blocks the range for 15 minutes, across callers; no lookup, no SMS', async () => {
    // The breaker would stop these unverified sends sooner (at 5): out of the way here.
    const kit = policyKit({ conversionMinSendsPerRange: 1000 })
    for (let i = 0; i < 10; i++) expect((await kit.send(inRange(i))).status).toBe(201)
    const asked = kit.lookup.asked.length
    const error = await blocked(await kit.send(inRange(10)))
    expect(error).toStrictEqual({
      code: 'SEND_BLOCKED',
      message: expect.any(String),
      reason: 'RANGE_VELOCITY',
      scope: 'range:385911234',
      retryAfter: 15 * 60,
    })
    expect(kit.lookup.asked).toHaveLength(asked)
    expect(kit.sms.outbox).toHaveLength(10)
    // Blocked: a number of the range that was never sent to is refused too, until the block ends.
    kit.clock.advance(15 * MINUTE - 1_000)
    expect(await blocked(await kit.send(inRange(50)))).toMatchObject({
      reason: 'RANGE_VELOCITY',
      retryAfter: 1,
    })
    expect(await kit.app.policy.blocks()).toStrictEqual([
      expect.objectContaining({
        scope: 'range:385911234',
        reason: 'RANGE_VELOCITY',
        action: 'block',
        level: 1,
      }),
    ])
    // Another range is untouched.
    expect((await kit.send('+385911239999')).status).toBe(201)
  })

  it('50 concurrent sends to one range: exactly 10 SMS and one block at level 1 (a burst does not escalate its own block)', async () => {
    const kit = policyKit({ conversionMinSendsPerRange: 1000 })
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => kit.send(inRange(i))))
    expect(responses.filter((response) => response.status === 201)).toHaveLength(10)
    expect(responses.filter((response) => response.status === 403)).toHaveLength(40)
    expect(kit.sms.outbox).toHaveLength(10)
    expect(await kit.app.policy.blocks()).toStrictEqual([
      expect.objectContaining({ scope: 'range:385911234', reason: 'RANGE_VELOCITY', level: 1 }),
    ])
  })

  it('a repeat within a day doubles the block: 15 min, then 30 min', async () => {
    const kit = policyKit({ sendPinPerRangeLimit: '2/1h' })
    await kit.send(inRange(1))
    await kit.send(inRange(2))
    expect(await blocked(await kit.send(inRange(3)))).toMatchObject({ retryAfter: 15 * 60 })
    kit.clock.advance(HOUR) // the block and the velocity window are over
    await kit.send(inRange(4))
    await kit.send(inRange(5))
    expect(await blocked(await kit.send(inRange(6)))).toMatchObject({
      reason: 'RANGE_VELOCITY',
      retryAfter: 30 * 60,
    })
    expect((await kit.app.policy.blocks())[0]).toMatchObject({ level: 2 })
  })

  it('the 10k range has its own limit (30/1h): many 1k ranges of one 10k range are refused together', async () => {
    const kit = policyKit({ sendPinPerWideRangeLimit: '3/1h' })
    // +385 91 123 4xyz: x picks the 1k range, all inside the 10k range +385 91 123 4.
    const numbers = ['+385911234123', '+385911235123', '+385911236123']
    for (const number of numbers) expect((await kit.send(number)).status).toBe(201)
    expect(await blocked(await kit.send('+385911237123'))).toMatchObject({
      reason: 'RANGE_VELOCITY',
      scope: 'range:38591123',
    })
  })
})

describe('conversion breaker', () => {
  it('7 sends to one 1k range with none verified (conclusive at 99 % confidence): the 8th is LOW_CONVERSION-blocked, no lookup, no SMS', async () => {
    const kit = policyKit()
    for (let i = 0; i < 7; i++) expect((await kit.send(inRange(i))).status).toBe(201)
    const asked = kit.lookup.asked.length
    expect(await blocked(await kit.send(inRange(7)))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'range:385911234',
      retryAfter: 15 * 60,
    })
    expect(kit.lookup.asked).toHaveLength(asked)
    expect(kit.sms.outbox).toHaveLength(7)
    expect(kit.events.filter((event) => event.type === 'policy.blocked')).toStrictEqual([
      expect.objectContaining({
        scope: 'range:385911234',
        reason: 'LOW_CONVERSION',
        action: 'block',
        level: 1,
      }),
    ])
  })

  it('a low share that could be chance is not judged: 20 sends to one range, 8 verified (40 %), none refused; 4 of 20 (20 %) trip it', async () => {
    const kit = policyKit({ sendPinPerRangeLimit: '100/1h', conversionMinSends: 1000 })
    for (let i = 0; i < 20; i++) {
      const { pinId, pin } = await kit.startVerification(inRange(i))
      if (i % 5 < 2) expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    }
    expect((await kit.send(inRange(20))).status).toBe(201)
    const other = (i: number) => `+3859855550${String(i).padStart(2, '0')}`
    for (let i = 0; i < 20; i++) {
      const { pinId, pin } = await kit.startVerification(other(i))
      if (i % 5 === 0) expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    }
    expect(await blocked(await kit.send(other(20)))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'range:385985555',
    })
  })

  it('verifications keep a range open: 20 sends to one range, 3 of every 4 verified, none refused', async () => {
    const kit = policyKit({ sendPinPerRangeLimit: '100/1h' })
    for (let i = 0; i < 20; i++) {
      const { pinId, pin } = await kit.startVerification(inRange(i))
      if (i % 4 !== 3) expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    }
    expect(kit.sms.outbox).toHaveLength(20)
    expect(await kit.app.policy.blocks()).toStrictEqual([])
  })

  it('20 sends to one country across ranges with none verified: the 21st is LOW_CONVERSION for country:HR', async () => {
    const kit = policyKit()
    for (let i = 0; i < 20; i++) expect((await kit.send(spread(i))).status).toBe(201)
    expect(await blocked(await kit.send(spread(20)))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'country:HR',
    })
    expect(kit.sms.outbox).toHaveLength(20)
  })

  it('countries too rare to be judged alone are judged together: one unverified send to each of 20 countries, the 21st country is LOW_CONVERSION for country:rare', async () => {
    const kit = policyKit()
    const { getCountries, getExampleNumber } = await import('libphonenumber-js/max')
    const examples = (await import('libphonenumber-js/mobile/examples')).default
    const numbers = getCountries()
      .map((country) => getExampleNumber(country, examples)?.number)
      .filter((number): number is string => Boolean(number))
    const distinct = [...new Set(numbers)].slice(0, 21)
    for (const number of distinct.slice(0, 20)) expect((await kit.send(number)).status).toBe(201)
    expect(await blocked(await kit.send(distinct[20]!))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'country:rare',
    })
    expect(kit.sms.outbox).toHaveLength(20)
  })

  it('per mobile network (from the lookup): 20 unverified sends to one network block the network, not the country; the SMS is not sent', async () => {
    // Two networks by prefix: +385 91 is one, every other number another.
    const asked: string[] = []
    const byPrefix: SmsProvider = {
      name: 'lookup-by-prefix',
      async send() {
        throw new Error('the lookup provider sends nothing')
      },
      async lookup(e164: string): Promise<LookupResult> {
        asked.push(e164)
        const network = e164.startsWith('+38591') ? { mcc: '219', mnc: '10' } : { mcc: '219', mnc: '01' }
        return { valid: true, reachable: true, lineType: 'mobile', network, raw: {} }
      },
    }
    const kit = policyKit({ lookup: byPrefix })
    // Croatia converts well on the other network (not rare, not low)...
    for (let i = 0; i < 20; i++) {
      const { pinId, pin } = await kit.startVerification(`+3859812${String(i).padStart(2, '0')}567`)
      expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    }
    // ...while +385 91 numbers, one per range, never verify.
    for (let i = 0; i < 20; i++) expect((await kit.send(spread(i))).status).toBe(201)
    const sent = kit.sms.outbox.length
    expect(await blocked(await kit.send(spread(50)))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'network:21910',
    })
    expect(kit.sms.outbox).toHaveLength(sent)
    expect((await kit.send('+385981299567')).status).toBe(201)
  })

  it('after a block ends the scope is judged only on what came after it, on fewer sends (half the minimum per level, at least 3); a second trip doubles the block', async () => {
    // No lookup: the network's own breaker (the same 20 unverified sends) would trip next.
    const kit = policyKit({ lookup: null })
    for (let i = 0; i < 20; i++) await kit.send(spread(i))
    expect(await blocked(await kit.send(spread(20)))).toMatchObject({
      scope: 'country:HR',
      retryAfter: 15 * 60,
    })
    kit.clock.advance(15 * MINUTE)
    // The 20 unverified sends before the block no longer count; 10 new ones are judged.
    for (let i = 30; i < 40; i++) expect((await kit.send(spread(i))).status).toBe(201)
    expect(await blocked(await kit.send(spread(40)))).toMatchObject({
      reason: 'LOW_CONVERSION',
      scope: 'country:HR',
      retryAfter: 30 * 60,
    })
  })

  it('with a captcha in "escalated" mode the first trip asks for the captcha (CAPTCHA_REQUIRED with reason and scope), the second blocks', async () => {
    const turnstile = await startFakeTurnstile()
    try {
      const kit = policyKit({
        captcha: turnstileCaptcha({
          siteKey: FAKE_TURNSTILE_SITE_KEY,
          secretKey: FAKE_TURNSTILE_SECRET,
          baseUrl: turnstile.url,
        }),
        captchaMode: 'escalated',
        sendPinPerRangeLimit: '100/1h',
      })
      // No captcha asked up front.
      for (let i = 0; i < 7; i++) expect((await kit.send(inRange(i))).status).toBe(201)
      const refused = await kit.send(inRange(7))
      expect(refused.status).toBe(400)
      expect(await errorOf(refused)).toMatchObject({
        code: 'CAPTCHA_REQUIRED',
        reason: 'LOW_CONVERSION',
        scope: 'range:385911234',
      })
      expect(kit.sms.outbox).toHaveLength(7)
      // With a solved captcha the range is open; other ranges never see one.
      const solved = () => ({ captchaToken: turnstile.issue() })
      expect((await kit.send(inRange(8), solved())).status).toBe(201)
      expect((await kit.send('+385981234567')).status).toBe(201)
      // Still no verifications: 7 more sends past the captcha, and the range is blocked.
      for (let i = 9; i < 15; i++) expect((await kit.send(inRange(i), solved())).status).toBe(201)
      expect(await blocked(await kit.send(inRange(15), solved()))).toMatchObject({
        reason: 'LOW_CONVERSION',
        scope: 'range:385911234',
      })
    } finally {
      await turnstile.close()
    }
  })
})

describe('spend ceiling', () => {
  it('past the per-country ceiling the send is refused SPEND_CEILING until the UTC day rolls; 80 % fires spend.ceiling_near once; no SMS', async () => {
    // 1 per segment, 5 a day for HR: the 6th SMS to HR is refused.
    const kit = policyKit({ smsPrices: { HR: 1 }, dailySpendLimitPerCountry: 5, dailySpendLimit: 1000 })
    for (let i = 0; i < 5; i++) expect((await kit.send(spread(i))).status).toBe(201)
    const asked = kit.lookup.asked.length
    const error = await blocked(await kit.send(spread(5)))
    const midnight = Math.ceil((kit.clock.now() + 1) / 86_400_000) * 86_400_000
    expect(error).toMatchObject({
      reason: 'SPEND_CEILING',
      scope: 'country:HR',
      retryAfter: Math.ceil((midnight - kit.clock.now()) / 1000),
    })
    expect(kit.sms.outbox).toHaveLength(5)
    // The lookup came before the price was known (it is not the SMS): one for the refused send.
    expect(kit.lookup.asked).toHaveLength(asked + 1)
    expect(kit.events.filter((event) => event.type === 'spend.ceiling_near')).toStrictEqual([
      expect.objectContaining({ scope: 'country:HR', spent: 4, ceiling: 5 }),
    ])
    // Other countries have their own ceiling.
    expect((await kit.send('+4915112345678')).status).toBe(201)
    expect(await kit.app.policy.spend()).toMatchObject({
      spent: 5 + 0.09,
      countries: { HR: { spent: 5, ceiling: 5 } },
    })
  })

  it("a past day's spend report comes from the hourly statistics (its ceiling counters ended with it)", async () => {
    const kit = policyKit({ smsPrices: { HR: 1 } })
    const day = new Date(kit.clock.now()).toISOString().slice(0, 10)
    await kit.send(spread(0))
    await kit.send(spread(1))
    kit.clock.advance(86_400_000)
    expect(await kit.app.policy.spend(day)).toMatchObject({ day, spent: 2, countries: { HR: { spent: 2 } } })
    expect((await kit.app.policy.spend()).spent).toBe(0)
  })

  it('a send whose SMS failed gives its spend back', async () => {
    let fail = true
    const flaky: SmsProvider = {
      name: 'flaky',
      async send() {
        if (fail) {
          const { ProviderError } = await import('../../server/index.js')
          throw new ProviderError('permanent', 'flaky', 'refused')
        }
        return { messageId: 'm', status: 'ACCEPTED', provider: 'flaky' }
      },
    }
    const kit = policyKit({ sms: flaky, smsPrices: { HR: 1 }, dailySpendLimitPerCountry: 1 })
    expect((await kit.send(spread(0))).status).toBe(502)
    fail = false
    expect((await kit.send(spread(1))).status).toBe(201)
    expect((await kit.app.policy.spend()).countries.HR).toStrictEqual({ spent: 1, ceiling: 1 })
  })
})

describe('allow-list', () => {
  it('numbers and 1k ranges on the allow-list (option and run time) are never blocked by velocity or the breaker', async () => {
    const kit = policyKit({ allowList: ['+385911234xxx'], sendPinPerRangeLimit: '2/1h' })
    for (let i = 0; i < 12; i++) expect((await kit.send(inRange(i))).status).toBe(201)
    const other = (i: number) => `+3859855550${String(i).padStart(2, '0')}`
    await kit.app.policy.allow('+385985555xxx', { note: 'office onboarding' })
    for (let i = 0; i < 12; i++) expect((await kit.send(other(i))).status).toBe(201)
    expect(await kit.app.policy.blocks()).toStrictEqual([])
    expect(await kit.app.policy.allowList()).toStrictEqual([
      { entry: '+385911234xxx', source: 'options' },
      { entry: '+385985555xxx', source: 'store', note: 'office onboarding', addedAt: kit.clock.now() },
    ])
    expect(await kit.app.policy.disallow('+385985555xxx')).toBe(true)
    expect(await kit.app.policy.disallow('+385985555xxx')).toBe(false)
  })

  it('a lifted block lets the range send again at once', async () => {
    const kit = policyKit({ sendPinPerRangeLimit: '1/1h' })
    await kit.send(inRange(1))
    expect(await blocked(await kit.send(inRange(2)))).toMatchObject({ reason: 'RANGE_VELOCITY' })
    expect(await kit.app.policy.lift('range:385911234')).toBe(true)
    expect(await kit.app.policy.blocks()).toStrictEqual([])
    // The velocity window is still full, so the next send trips again — at level 1, forgotten.
    expect(await blocked(await kit.send(inRange(3)))).toMatchObject({ retryAfter: 15 * 60 })
  })
})

describe('shadow mode', () => {
  it('decides the same and refuses nothing: every send goes out, each would-be refusal is an event and a statistic', async () => {
    const kit = policyKit({
      shadowPolicies: '*',
      allowedCountries: ['DE'],
      smsPrices: { HR: 1 },
      dailySpendLimitPerCountry: 3,
    })
    for (let i = 0; i < 12; i++) expect((await kit.send(inRange(i))).status).toBe(201)
    expect(kit.sms.outbox).toHaveLength(12)
    expect(await kit.app.policy.blocks()).toStrictEqual([])
    const reasons = new Set(
      kit.events
        .filter((event) => event.type === 'send.refused')
        .map((event) => event.type === 'send.refused' && event.shadow && event.reason),
    )
    expect(reasons).toStrictEqual(
      new Set(['COUNTRY_NOT_ALLOWED', 'RANGE_VELOCITY', 'LOW_CONVERSION', 'SPEND_CEILING']),
    )
    const [hour] = await kit.app.policy.hourlyStats(1)
    expect(hour!.counters).toMatchObject({ 'shadow|COUNTRY_NOT_ALLOWED': 12, sent: 12 })
    expect(hour!.counters).not.toHaveProperty('refused|COUNTRY_NOT_ALLOWED')
  })
})

describe('per-number backoff', () => {
  it('each SMS to a number doubles the wait before the next: 30 s, 60 s, 120 s (+ at most 10 % jitter), up to maxResendCooldown', async () => {
    const kit = policyKit({ sendPinPerPhoneNumberLimit: '10/1d', maxResendCooldown: '2m' })
    const number = '+385911234567'
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await kit.send(number)
      expect(response.status).toBe(201)
      const { resendAvailableAt } = (await response.json()) as { resendAvailableAt: string }
      const wait = Date.parse(resendAvailableAt) - kit.clock.now()
      waits.push(wait)
      expect((await kit.send(number)).status).toBe(429)
      kit.clock.advance(wait)
    }
    expect(waits[0]).toBe(30_000)
    expect(waits[1]).toBeGreaterThanOrEqual(60_000)
    expect(waits[1]).toBeLessThanOrEqual(66_000)
    expect(waits[2]).toBeGreaterThanOrEqual(120_000)
    expect(waits[2]).toBeLessThanOrEqual(120_000)
    expect(waits[3]).toBe(120_000)
  })
})

describe('what the widget is offered', () => {
  it('GET /config lists every country but the denied ones under "*", and the allowed ones minus the denied otherwise', async () => {
    const everywhere = policyKit({ allowedCountries: '*', deniedCountries: ['HR', 'RU'] })
    const offered = ((await (await everywhere.get('/config')).json()) as { allowedCountries: string[] })
      .allowedCountries
    expect(offered).toContain('DE')
    expect(offered).not.toContain('HR')
    expect(offered).not.toContain('RU')
    const listed = policyKit({ allowedCountries: ['HR', 'DE'], deniedCountries: ['HR'] })
    expect(
      ((await (await listed.get('/config')).json()) as { allowedCountries: string[] }).allowedCountries,
    ).toStrictEqual(['DE'])
    expect(
      ((await (await policyKit().get('/config')).json()) as { allowedCountries: null }).allowedCountries,
    ).toBeNull()
  })
})
