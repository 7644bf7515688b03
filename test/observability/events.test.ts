// Every event type at its step, with its exact fields, and never a PIN or a whole number in any of
// them; the statistics and running totals of a scripted flow; a number's verification index.
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import type { TwoFactorEvent, TwoFactorEventType } from '../../server/index.js'
import { ProviderError, type CaptchaVerifier, type SmsProvider } from '../../server/index.js'
import { recentVerifications } from '../../server/core/verification-log.js'
import { deliveryReportRoutes } from '../../server/http/delivery-reports.js'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'

const MASKED_HR = '+385 •• ••• ••67'
const OTHER_HR = '+385981234567'
const allEvents: TwoFactorEvent[] = []
const allPins = new Set<string>()
const allNumbers = new Set<string>([MOBILE_HR, OTHER_HR])

function observedKit(overrides: Parameters<typeof makeKit>[0] = {}) {
  const events: TwoFactorEvent[] = []
  const kit = makeKit({
    onEvent: (event) => {
      events.push(event)
      allEvents.push(event)
    },
    ...overrides,
  })
  const pinOf = () => {
    const pin = kit.lastPin()
    allPins.add(pin)
    return pin
  }
  const ofType = (type: TwoFactorEventType) => events.filter((event) => event.type === type)
  return { ...kit, events, pinOf, ofType }
}

/** A provider that refuses every SMS the way a provider that is down does. */
function downProvider(name: string): SmsProvider {
  return {
    name,
    async send() {
      throw new ProviderError('transient', name, `${name} answered 503`, {
        httpStatus: 503,
        providerCode: '503',
      })
    },
  }
}

/** The kit's console provider plus delivery reports: `POST /reports/reporting` carries `{ messageId, status }`. */
function reportingProvider(): SmsProvider & { sent: string[] } {
  const sent: string[] = []
  return {
    name: 'reporting',
    sent,
    async send(message) {
      sent.push(message.text)
      return { messageId: `m${sent.length}`, status: 'ACCEPTED', provider: 'reporting' }
    },
    async parseDeliveryReports(request) {
      if (request.headers.get('authorization') !== 'Bearer right')
        throw new ProviderError('unauthorized', 'reporting', 'bad signature')
      return [(await request.json()) as { messageId: string; status: 'DELIVERED' }]
    },
  }
}

/** Posts a delivery report to the kit's own `/reports/reporting` route. */
function reportRoutes(kit: ReturnType<typeof observedKit>) {
  return (body: unknown, secret = 'right') =>
    kit.app.request('/reports/reporting', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify(body),
    })
}

const captchaVerifier = (verdict: 'refuse' | 'down'): CaptchaVerifier => ({
  name: 'test-captcha',
  widget: { provider: 'turnstile', siteKey: 'site-key', action: 'two-factor-send' },
  async verify() {
    if (verdict === 'down') throw new Error('captcha service unreachable')
    return { success: false, reasons: ['invalid-input-response'] }
  },
})

afterAll(() => {
  // No event of any test holds a PIN that was sent, or a whole number.
  const strings: string[] = []
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value)
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  collect(allEvents)
  expect(allPins.size).toBeGreaterThan(5)
  for (const text of strings) {
    for (const pin of allPins) expect(text).not.toContain(pin)
    for (const number of allNumbers) expect(text).not.toContain(number.slice(1))
  }
})

describe('events: one per step, with its fields', () => {
  it('pin.sent, pin.resent, pin.failed_attempt, pin.locked at their steps', async () => {
    const kit = observedKit({ pinAttempts: 2 })
    const at = kit.clock.now()
    const sent = await kit.startVerification()
    kit.pinOf()
    const common = { to: MASKED_HR, country: 'HR', pinId: sent.pinId }
    expect(kit.ofType('pin.sent')).toEqual([
      {
        type: 'pin.sent',
        at,
        ...common,
        provider: 'console',
        status: 'MESSAGE_SENT',
        cost: 0.1,
        segments: 1,
        testNumber: false,
      },
    ])
    kit.clock.advance(30_000)
    expect((await kit.post(`/pin/${sent.pinId}/resend`)).status).toBe(200)
    kit.pinOf()
    expect(kit.ofType('pin.resent')).toEqual([
      {
        type: 'pin.resent',
        at: at + 30_000,
        ...common,
        provider: 'console',
        status: 'MESSAGE_SENT',
        cost: 0.1,
        segments: 1,
        testNumber: false,
      },
    ])
    const wrong = sent.pin === '000000' ? '111111' : '000000'
    expect((await kit.post(`/pin/${sent.pinId}/verify`, { pin: wrong })).status).toBe(422)
    expect((await kit.post(`/pin/${sent.pinId}/verify`, { pin: wrong })).status).toBe(422)
    expect(kit.ofType('pin.failed_attempt')).toEqual([
      { type: 'pin.failed_attempt', at: at + 30_000, ...common, attemptsRemaining: 1 },
      { type: 'pin.failed_attempt', at: at + 30_000, ...common, attemptsRemaining: 0 },
    ])
    expect(kit.ofType('pin.locked')).toEqual([{ type: 'pin.locked', at: at + 30_000, ...common }])
  })

  it('pin.verified, then pin.expired for a verify after the PIN ran out', async () => {
    const kit = observedKit()
    const at = kit.clock.now()
    const first = await kit.startVerification()
    expect((await kit.post(`/pin/${first.pinId}/verify`, { pin: kit.pinOf() })).status).toBe(200)
    expect(kit.ofType('pin.verified')).toEqual([
      { type: 'pin.verified', at, to: MASKED_HR, country: 'HR', pinId: first.pinId, provider: 'console' },
    ])
    kit.clock.advance(60_000)
    const second = await kit.startVerification(OTHER_HR)
    kit.clock.advance(10 * 60_000)
    const late = await kit.post(`/pin/${second.pinId}/verify`, { pin: kit.pinOf() })
    expect((await errorOf(late)).code).toBe('PIN_NOT_FOUND')
    expect(kit.ofType('pin.expired')).toEqual([
      {
        type: 'pin.expired',
        at: at + 11 * 60_000,
        to: '+385 •• ••• ••67',
        country: 'HR',
        pinId: second.pinId,
      },
    ])
  })

  it('sms.failover when a provider fails and the next is tried; sms.failed when all fail', async () => {
    const kit = observedKit({ sms: [downProvider('down'), makeKit().sms], providerRetries: 0 })
    const sent = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(sent.status).toBe(201)
    const { pinId } = (await sent.json()) as { pinId: string }
    expect(kit.ofType('sms.failover')).toEqual([
      {
        type: 'sms.failover',
        at: kit.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        pinId,
        provider: 'down',
        outcome: 'transient',
        code: '503',
        next: 'console',
      },
    ])
    expect(kit.ofType('pin.sent')).toMatchObject([{ provider: 'console' }])

    const failing = observedKit({
      sms: [downProvider('down'), downProvider('also-down')],
      providerRetries: 0,
    })
    const refused = await failing.post('/pin', { phoneNumber: MOBILE_HR })
    expect((await errorOf(refused)).code).toBe('SMS_NOT_SENT')
    const [failed] = failing.ofType('sms.failed')
    expect(failing.ofType('sms.failed')).toEqual([
      {
        type: 'sms.failed',
        at: failing.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        pinId: (failed as { pinId: string }).pinId,
        provider: 'also-down',
        kind: 'transient',
        attempts: ['down: transient 503', 'also-down: transient 503'],
      },
    ])
    expect(failing.ofType('sms.failover')).toHaveLength(1)
    expect(failing.ofType('pin.sent')).toEqual([])
  })

  it('delivery.reported for a report that changes a PIN; report.forged for one that is not authentic', async () => {
    const provider = reportingProvider()
    const kit = observedKit({ sms: provider })
    const sent = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    const { pinId } = (await sent.json()) as { pinId: string }
    allPins.add(/^(\S+) /.exec(provider.sent[0]!)![1]!)
    const report = reportRoutes(kit)
    expect((await report({ messageId: 'm1', status: 'DELIVERED' }, 'wrong')).status).toBe(401)
    expect(kit.ofType('report.forged')).toEqual([
      { type: 'report.forged', at: kit.clock.now(), provider: 'reporting' },
    ])
    expect((await report({ messageId: 'm1', status: 'DELIVERED' })).status).toBe(200)
    expect((await report({ messageId: 'm1', status: 'DELIVERED' })).status).toBe(200)
    expect(kit.ofType('delivery.reported')).toEqual([
      {
        type: 'delivery.reported',
        at: kit.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        pinId,
        provider: 'reporting',
        status: 'DELIVERED',
      },
    ])
  })

  it('lookup.refused for an unreachable number; lookup.failed when the lookup itself fails', async () => {
    const lookup = (answer: 'unreachable' | 'down'): SmsProvider => ({
      name: 'lookup',
      async send() {
        throw new Error('not used')
      },
      async lookup() {
        if (answer === 'down') throw new ProviderError('transient', 'lookup', 'lookup answered 500')
        return { valid: true, reachable: false, lineType: 'mobile', raw: {} }
      },
    })
    const refusing = observedKit({ lookup: lookup('unreachable') })
    expect((await errorOf(await refusing.post('/pin', { phoneNumber: MOBILE_HR }))).code).toBe(
      'NUMBER_NOT_REACHABLE',
    )
    expect(refusing.ofType('lookup.refused')).toEqual([
      {
        type: 'lookup.refused',
        at: refusing.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        provider: 'lookup',
        reason: 'NUMBER_NOT_REACHABLE',
        lineType: 'mobile',
      },
    ])
    const open = observedKit({ lookup: lookup('down'), lookupFailurePolicy: 'open' })
    expect((await open.post('/pin', { phoneNumber: MOBILE_HR })).status).toBe(201)
    open.pinOf()
    expect(open.ofType('lookup.failed')).toEqual([
      {
        type: 'lookup.failed',
        at: open.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        provider: 'lookup',
        policy: 'open',
      },
    ])
  })

  it('send.refused (with reason and scope), policy.blocked and spend.ceiling_near', async () => {
    const denied = observedKit({ allowedCountries: ['DE'] })
    await denied.post('/pin', { phoneNumber: MOBILE_HR })
    expect(denied.ofType('send.refused')).toEqual([
      {
        type: 'send.refused',
        at: denied.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        reason: 'COUNTRY_NOT_ALLOWED',
        scope: 'country:HR',
        shadow: false,
      },
    ])
    const ranges = observedKit({ sendPinPerRangeLimit: '1/1h', dailySpendLimit: 0.1 })
    expect((await ranges.post('/pin', { phoneNumber: MOBILE_HR })).status).toBe(201)
    ranges.pinOf()
    expect(ranges.ofType('spend.ceiling_near')).toEqual([
      { type: 'spend.ceiling_near', at: ranges.clock.now(), scope: 'application', spent: 0.1, ceiling: 0.1 },
    ])
    expect((await ranges.post('/pin', { phoneNumber: '+385911234568' })).status).toBe(403)
    expect(ranges.ofType('policy.blocked')).toMatchObject([
      {
        type: 'policy.blocked',
        reason: 'RANGE_VELOCITY',
        scope: 'range:385911234',
        action: 'block',
        level: 1,
      },
    ])
    expect(ranges.ofType('send.refused')).toMatchObject([
      { reason: 'RANGE_VELOCITY', scope: 'range:385911234' },
    ])
  })

  it('send.rate_limited and verify.rate_limited name the limit', async () => {
    const kit = observedKit({ verifyPinLimit: '1/1h' })
    const sent = await kit.startVerification()
    kit.pinOf()
    expect((await kit.post(`/pin/${sent.pinId}/resend`)).status).toBe(429)
    expect(kit.ofType('send.rate_limited')).toEqual([
      {
        type: 'send.rate_limited',
        at: kit.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        pinId: sent.pinId,
        limit: 'resendCooldown',
        retryAfter: 30,
      },
    ])
    await kit.post(`/pin/${sent.pinId}/verify`, { pin: '000000' })
    expect((await kit.post(`/pin/${sent.pinId}/verify`, { pin: '000000' })).status).toBe(429)
    expect(kit.ofType('verify.rate_limited')).toEqual([
      {
        type: 'verify.rate_limited',
        at: kit.clock.now(),
        to: MASKED_HR,
        country: 'HR',
        pinId: sent.pinId,
        limit: 'verifyPin',
        retryAfter: 3600,
      },
    ])
  })

  it('captcha.failed for a refused or missing token; captcha.unavailable when the service is down', async () => {
    const refusing = observedKit({ captcha: captchaVerifier('refuse') })
    await refusing.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: 'token' })
    await refusing.post('/pin', { phoneNumber: MOBILE_HR })
    const about = { to: MASKED_HR, country: 'HR', provider: 'test-captcha' }
    expect(refusing.ofType('captcha.failed')).toEqual([
      { type: 'captcha.failed', at: refusing.clock.now(), ...about, reasons: ['invalid-input-response'] },
      { type: 'captcha.failed', at: refusing.clock.now(), ...about, reasons: ['missing-input-response'] },
    ])
    const down = observedKit({ captcha: captchaVerifier('down') })
    expect((await down.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: 'token' })).status).toBe(503)
    expect(down.ofType('captcha.unavailable')).toEqual([
      { type: 'captcha.unavailable', at: down.clock.now(), ...about },
    ])
  })

  it('each event is one log line (info for a step, warn for a refusal), with no PIN', async () => {
    const kit = observedKit()
    const sent = await kit.startVerification()
    const pin = kit.pinOf()
    await kit.post(`/pin/${sent.pinId}/verify`, { pin })
    expect(kit.logs.filter((line) => line.startsWith('pin.sent '))).toHaveLength(1)
    expect(kit.logs.filter((line) => line.startsWith('pin.verified '))).toHaveLength(1)
    for (const line of kit.logs) expect(line).not.toContain(pin)
  })

  it('a hook that throws or rejects changes no answer, and is logged', async () => {
    for (const onEvent of [
      () => {
        throw new Error('hook threw')
      },
      () => Promise.reject(new Error('hook rejected')),
    ]) {
      const kit = makeKit({ onEvent })
      const sent = await kit.startVerification()
      allPins.add(sent.pin)
      const verified = await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin })
      expect(verified.status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(kit.logs.filter((line) => line.startsWith('onEvent threw'))).toHaveLength(2)
    }
  })
})

describe('statistics and running totals', () => {
  it('a scripted flow counts exactly, in the hour and in stats:total', async () => {
    const provider = reportingProvider()
    const kit = observedKit({ sms: [downProvider('down'), provider], providerRetries: 0, pinAttempts: 3 })
    const hour = `stats:${new Date(kit.clock.now()).toISOString().slice(0, 13)}`
    const sent = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    const { pinId } = (await sent.json()) as { pinId: string }
    const pin = /^(\S+) /.exec(provider.sent[0]!)![1]!
    allPins.add(pin)
    const wrong = pin === '000000' ? '111111' : '000000'
    await kit.post(`/pin/${pinId}/verify`, { pin: wrong })
    expect((await kit.post(`/pin/${pinId}/resend`)).status).toBe(429)
    const report = reportRoutes(kit)
    await report({ messageId: 'm1', status: 'DELIVERED' })
    await report({ messageId: 'm1', status: 'DELIVERED' })
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    await kit.post('/pin', { phoneNumber: '+3859' })

    const [hourly, total] = await kit.store.readCounters([hour, 'stats:total'], kit.clock.now())
    const { 'latency_ms|provider:reporting': latency, ...counts } = hourly!
    expect(latency).toBeGreaterThanOrEqual(0)
    expect(counts).toEqual({
      requested: 2,
      'requested|country:HR': 2,
      sent: 1,
      'sent|country:HR': 1,
      'sent|provider:reporting': 1,
      segments: 1,
      spend: 100_000,
      'spend|country:HR': 100_000,
      'sms_failed|provider:down': 1,
      'failover|provider:down': 1,
      'latency_count|provider:reporting': 1,
      failed_attempt: 1,
      'rate_limited|resendCooldown': 1,
      delivered: 1,
      'delivered|country:HR': 1,
      'delivered|provider:reporting': 1,
      verified: 1,
      'verified|country:HR': 1,
      'verified|provider:reporting': 1,
    })
    expect(total).toEqual(hourly)
  })
})

describe('the verification index', () => {
  it('follows send → wrong PIN → resend → delivery report → verify, newest first', async () => {
    const provider = reportingProvider()
    const kit = observedKit({ sms: provider })
    const createdAt = kit.clock.now()
    const older = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    const { pinId: olderId } = (await older.json()) as { pinId: string }
    kit.clock.advance(60_000)
    const sent = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    const { pinId } = (await sent.json()) as { pinId: string }
    const pin = /^(\S+) /.exec(provider.sent[1]!)![1]!
    allPins.add(pin)
    await kit.post(`/pin/${pinId}/verify`, { pin: pin === '000000' ? '111111' : '000000' })
    kit.clock.advance(5 * 60_000)
    expect((await kit.post(`/pin/${pinId}/resend`)).status).toBe(200)
    await reportRoutes(kit)({ messageId: 'm3', status: 'DELIVERED' })
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    const now = kit.clock.now()
    expect(await recentVerifications(kit.store, MOBILE_HR, now)).toEqual([
      {
        pinId,
        createdAt: createdAt + 60_000,
        expiresAt: createdAt + 11 * 60_000,
        status: 'VERIFIED',
        deliveryStatus: 'DELIVERED',
        attemptsUsed: 2,
        resends: 1,
        provider: 'reporting',
        country: 'HR',
        verifiedAt: now,
      },
      {
        pinId: olderId,
        createdAt,
        expiresAt: createdAt + 10 * 60_000,
        status: 'PENDING',
        deliveryStatus: 'ACCEPTED',
        attemptsUsed: 0,
        resends: 0,
        provider: 'reporting',
        country: 'HR',
      },
    ])
    const entries = await kit.store.listEntries(`verifications:${MOBILE_HR}`, now)
    expect(entries.find((entry) => entry.id === pinId)?.expiresAt).toBe(createdAt + 60_000 + 7 * 86_400_000)
  })
})
