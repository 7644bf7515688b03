/**
 * The whole kit inside real workerd with the Durable Object store, driven through its HTTP API: the
 * security invariants under concurrency, Durable Object errors answered as 503, and the client IP
 * taken from CF-Connecting-IP only.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { consoleProvider, type ConsoleProvider } from '../../server/providers/console.js'
import { pinShardName } from '../../server/stores/durable-object.js'
import { twoFactor, type TwoFactorWorkerEnv } from '../../server/workers.js'
import type { TwoFactorInit } from '../../server/index.js'
import { fakeClock } from '../helpers/clock.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'

const workerEnv: TwoFactorWorkerEnv = env
const namespace = env.TWO_FACTOR_STORE

interface Kit {
  request(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>
  sms: ConsoleProvider
  app: ReturnType<typeof twoFactor>
}

/** The kit with quiet SMS and limits opened up except the ones a test is about. */
function kit(overrides: TwoFactorInit = {}): Kit {
  const sms = consoleProvider({ print: null })
  const quiet = { info: () => {}, warn: () => {}, error: () => {} }
  const app = twoFactor(workerEnv, {
    sms,
    logger: quiet,
    verifyPinLimit: '10000/1m',
    sendPinPerIpLimit: '10000/1h',
    sendPinPerRangeLimit: '10000/1h',
    sendPinPerWideRangeLimit: '10000/1h',
    conversionMinSends: 1_000_000,
    conversionMinSendsPerRange: 1_000_000,
    dailySpendLimit: null,
    dailySpendLimitPerCountry: null,
    ...overrides,
  })
  const request = async (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.7', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return { request, sms, app }
}

/** A fresh Croatian mobile number, so tests never share a per-number budget. */
const freshNumber = () =>
  `+38591${String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000_000).padStart(7, '0')}`

async function sendPin(kit: Kit, phoneNumber = freshNumber()): Promise<{ pinId: string; pin: string }> {
  const response = await kit.request('/pin', { phoneNumber })
  expect(response.status).toBe(201)
  const { pinId } = (await response.json()) as { pinId: string }
  const text = kit.sms.outbox.at(-1)!.text
  return { pinId, pin: /\b(\d{6})\b/.exec(text)![1]! }
}

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code

describe('the kit on workerd with Durable Objects', () => {
  it('200 concurrent wrong PINs on one pinId → exactly pinAttempts evaluated, the right PIN refused after', async () => {
    const k = kit({ pinAttempts: 5 })
    const { pinId, pin } = await sendPin(k)
    const wrong = pin === '000000' ? '111111' : '000000'
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => k.request(`/pin/${pinId}/verify`, { pin: wrong })),
    )
    const codes = await Promise.all(responses.map(errorCode))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'PIN_NOT_FOUND')).toHaveLength(195)

    const late = await k.request(`/pin/${pinId}/verify`, { pin })
    expect(late.status).toBe(404)
    expect(await errorCode(late)).toBe('PIN_NOT_FOUND')
  })

  it('20 concurrent right PINs → exactly one token', async () => {
    const k = kit()
    const { pinId, pin } = await sendPin(k)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => k.request(`/pin/${pinId}/verify`, { pin })),
    )
    const winners = responses.filter((response) => response.status === 200)
    expect(winners).toHaveLength(1)
    const { token } = (await winners[0]!.json()) as { token: string }
    expect(await k.app.verifier.verify(token)).toMatchObject({
      phoneNumber: expect.stringMatching(/^\+38591/),
    })
    const refusals = await Promise.all(responses.filter((response) => response.status !== 200).map(errorCode))
    // Refused at the attempt gate (budget spent) or at the single-use gate (already verified): one answer.
    expect(refusals).toStrictEqual(Array(19).fill('PIN_NOT_FOUND'))
  })

  it('20 wrong PINs on an attacker’s pinId at one instant (1/3s → 1 evaluated, 19 × 429) do not refuse the victim’s right PIN on their own pinId to the same number', async () => {
    const clock = fakeClock()
    const k = kit({ verifyPinLimit: '1/3s', resendCooldown: '30s', clock: clock.now })
    const phoneNumber = freshNumber()
    const attacker = await sendPin(k, phoneNumber)
    clock.advance(30_000)
    const victim = await sendPin(k, phoneNumber)
    const wrong = attacker.pin === '000000' ? '111111' : '000000'
    const hammering = await Promise.all(
      Array.from({ length: 20 }, () => k.request(`/pin/${attacker.pinId}/verify`, { pin: wrong })),
    )
    expect(tally(await Promise.all(hammering.map(errorCode)))).toStrictEqual({
      WRONG_PIN: 1,
      RATE_LIMITED: 19,
    })
    const right = await k.request(`/pin/${victim.pinId}/verify`, { pin: victim.pin })
    expect(right.status).toBe(200)
    const { token } = (await right.json()) as { token: string }
    expect(await k.app.verifier.verify(token)).toMatchObject({ phoneNumber })
  })

  it('rapid verifies on one pinId (1/3s): 10 at one instant → 1 evaluated, 9 × 429', async () => {
    const clock = fakeClock()
    const k = kit({ verifyPinLimit: '1/3s', clock: clock.now })
    const { pinId, pin } = await sendPin(k)
    const wrong = pin === '000000' ? '111111' : '000000'
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => k.request(`/pin/${pinId}/verify`, { pin: wrong })),
    )
    expect(tally(await Promise.all(burst.map(errorCode)))).toStrictEqual({ WRONG_PIN: 1, RATE_LIMITED: 9 })
    clock.advance(3_000)
    expect((await k.request(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
  })

  it('a test number (free sends) is limited per number (1/3s): 10 pinIds guessed at one instant → 1 evaluated, 9 × 429; its attempt cap holds', async () => {
    const clock = fakeClock()
    const testNumber = freshNumber()
    const k = kit({
      testNumbers: { [testNumber]: '123456' },
      verifyPinLimit: '1/3s',
      pinAttempts: 5,
      clock: clock.now,
    })
    const pinIds: string[] = []
    for (let i = 0; i < 10; i++) {
      const response = await k.request('/pin', { phoneNumber: testNumber })
      pinIds.push(((await response.json()) as { pinId: string }).pinId)
    }
    const burst = await Promise.all(
      pinIds.map((pinId) => k.request(`/pin/${pinId}/verify`, { pin: '000000' })),
    )
    expect(tally(await Promise.all(burst.map(errorCode)))).toStrictEqual({ WRONG_PIN: 1, RATE_LIMITED: 9 })

    const pinId = pinIds[0]!
    for (let i = 0; i < 5; i++) {
      clock.advance(3_000)
      await k.request(`/pin/${pinId}/verify`, { pin: '000000' })
    }
    clock.advance(3_000)
    expect(await errorCode(await k.request(`/pin/${pinId}/verify`, { pin: '123456' }))).toBe('PIN_NOT_FOUND')
  })

  it('200 concurrent sends to one number at one instant → exactly one SMS; the cooldown refuses the other 199', async () => {
    const clock = fakeClock()
    // A fixed cooldown (no backoff), so that only the per-number limit counts.
    const k = kit({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
      clock: clock.now,
    })
    const phoneNumber = freshNumber()
    const responses = await Promise.all(Array.from({ length: 200 }, () => k.request('/pin', { phoneNumber })))
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 1,
      '429 resendCooldown': 199,
    })
    expect(k.sms.outbox.filter((message) => message.to === phoneNumber)).toHaveLength(1)
    const refused = responses.filter((response) => response.status === 429)
    expect(new Set(refused.map((response) => response.headers.get('Retry-After')))).toStrictEqual(
      new Set(['30']),
    )
  })

  it('sends a cooldown apart: the per-number limit (3/1d) refuses the 4th until its day-long window ends', async () => {
    const clock = fakeClock()
    // A fixed cooldown (no backoff), so that only the per-number limit counts.
    const k = kit({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
      clock: clock.now,
    })
    const phoneNumber = freshNumber()
    for (let i = 0; i < 3; i++) {
      expect((await k.request('/pin', { phoneNumber })).status).toBe(201)
      clock.advance(30_000)
    }
    const fourth = await k.request('/pin', { phoneNumber })
    // The window opened with the first send, 3 cooldowns (90 s) ago.
    expect(await sendOutcome(fourth)).toBe('429 sendPinPerPhoneNumber')
    expect(fourth.headers.get('Retry-After')).toBe(String(86_400 - 90))
    clock.advance((86_400 - 90) * 1000)
    expect((await k.request('/pin', { phoneNumber })).status).toBe(201)
    expect(k.sms.outbox.filter((message) => message.to === phoneNumber)).toHaveLength(4)
  })

  it('200 concurrent sends to one number, each at its own instant past the cooldown → exactly 3 SMS (3/1d); the rest refused', async () => {
    const clock = fakeClock()
    // A fixed cooldown (no backoff), so that only the per-number limit counts.
    const k = kit({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
      clock: clock.now,
    })
    // Each request reads its own instant, more than a cooldown after the one before it, so most of
    // the burst reaches the per-number bucket and races there. Which limit refuses a given request is
    // not fixed: the store calls the cooldown's object through a new stub each time, and calls
    // through different stubs may arrive out of order, so an earlier instant can meet a later
    // request's cooldown window. How many are sent is fixed.
    clock.tickOnEveryRead(30_001)
    const phoneNumber = freshNumber()
    const responses = await Promise.all(Array.from({ length: 200 }, () => k.request('/pin', { phoneNumber })))
    const {
      '201': sent,
      '429 sendPinPerPhoneNumber': refusedByNumberLimit = 0,
      '429 resendCooldown': refusedByCooldown = 0,
      ...otherOutcomes
    } = tally(await Promise.all(responses.map(sendOutcome)))
    expect({ sent, otherOutcomes }).toStrictEqual({ sent: 3, otherOutcomes: {} })
    expect(k.sms.outbox.filter((message) => message.to === phoneNumber)).toHaveLength(3)
    expect(refusedByNumberLimit + refusedByCooldown).toBe(197)
    expect(refusedByNumberLimit).toBeGreaterThan(0)
  })

  it('answers a Durable Object error with 503 STORE_UNAVAILABLE and issues no token', async () => {
    const k = kit()
    const { pinId, pin } = await sendPin(k)
    // Damage the record inside its object: the object's own code throws on the next attempt.
    await runInDurableObject(namespace.get(namespace.idFromName(pinShardName(pinId))), (_, state) => {
      state.storage.sql.exec(`UPDATE pins SET record = '"damaged"' WHERE pin_id = ?`, pinId)
    })
    const response = await k.request(`/pin/${pinId}/verify`, { pin })
    expect(response.status).toBe(503)
    expect(await errorCode(response)).toBe('STORE_UNAVAILABLE')
    expect(response.headers.get('Retry-After')).toBeTruthy()
  })

  it('counts sends per CF-Connecting-IP, whatever X-Forwarded-For claims', async () => {
    const k = kit({ sendPinPerIpLimit: '2/1h' })
    const ip = `198.51.100.${(crypto.getRandomValues(new Uint8Array(1))[0]! % 200) + 1}`
    const send = (forwardedFor: string, from = ip) =>
      k.request(
        '/pin',
        { phoneNumber: freshNumber() },
        { 'CF-Connecting-IP': from, 'X-Forwarded-For': forwardedFor },
      )
    expect((await send('192.0.2.1')).status).toBe(201)
    expect((await send('192.0.2.2')).status).toBe(201)
    const third = await send('192.0.2.3')
    expect(third.status).toBe(429)
    expect(third.headers.get('Retry-After')).toMatch(/^\d+$/)
    expect((await send('192.0.2.3', '2001:db8::77')).status).toBe(201)
  })
})
