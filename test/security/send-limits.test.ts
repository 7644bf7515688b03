// Every send limit (the number's cooldown and cap, per IP, application-wide) is taken in
// the store before the provider is called: a refused send costs nothing, and no burst of requests
// gets more SMS out than the limits allow.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../helpers/kit.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'

const NUMBER = '+385911234567'
const COOLDOWN_MS = 30_000
const DAY_MS = 86_400_000

describe('send limits', () => {
  it('200 concurrent sends to one number at one instant → exactly one SMS; the cooldown refuses the other 199', async () => {
    const kit = makeKit({ sendPinPerPhoneNumberLimit: '3/1d', resendCooldown: '30s' })
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post('/pin', { phoneNumber: NUMBER })),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 1,
      '429 resendCooldown': 199,
    })
    expect(kit.sms.outbox).toHaveLength(1)
    // The clock stands still: every refusal waits the whole cooldown.
    const refused = responses.filter((response) => response.status === 429)
    expect(new Set(refused.map((response) => response.headers.get('Retry-After')))).toStrictEqual(
      new Set(['30']),
    )
  })

  it('200 concurrent sends to one number, each past the cooldown → exactly 3 SMS; the per-number limit (3/1d) refuses 197', async () => {
    // A fixed cooldown (no backoff: maxResendCooldown = resendCooldown), so only the per-number cap counts.
    const kit = makeKit({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
    })
    // Each request reads its own instant, a cooldown and more after the one before it: only the
    // per-number bucket (one window of a day for the whole burst) can hold the burst back.
    kit.clock.tickOnEveryRead(COOLDOWN_MS + 1)
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post('/pin', { phoneNumber: NUMBER })),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 3,
      '429 sendPinPerPhoneNumber': 197,
    })
    expect(kit.sms.outbox).toHaveLength(3)
  })

  it('sends a cooldown apart: the per-number limit (3/1d) refuses the 4th until its day-long window ends', async () => {
    // A fixed cooldown (no backoff: maxResendCooldown = resendCooldown), so only the per-number cap counts.
    const kit = makeKit({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
    })
    const send = () => kit.post('/pin', { phoneNumber: NUMBER })
    for (let i = 0; i < 3; i++) {
      expect((await send()).status).toBe(201)
      kit.clock.advance(COOLDOWN_MS)
    }
    const fourth = await send()
    expect(fourth.status).toBe(429)
    // The window opened with the first send, 3 cooldowns ago.
    const retryAfter = (DAY_MS - 3 * COOLDOWN_MS) / 1000
    expect(await errorOf(fourth)).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 'sendPinPerPhoneNumber',
      retryAfter,
    })
    expect(fourth.headers.get('Retry-After')).toBe(String(retryAfter))
    expect(kit.sms.outbox).toHaveLength(3)

    kit.clock.advance(retryAfter * 1000 - 1)
    expect(await errorOf(await send())).toMatchObject({ limit: 'sendPinPerPhoneNumber', retryAfter: 1 })
    kit.clock.advance(1)
    expect((await send()).status).toBe(201)
    expect(kit.sms.outbox).toHaveLength(4)
  })

  it('the cooldown stops a second SMS to one number, whichever way it is asked for', async () => {
    const kit = makeKit()
    await kit.startVerification()
    const again = await kit.post('/pin', { phoneNumber: '+385 91 123 4567' })
    expect(again.status).toBe(429)
    expect(await errorOf(again)).toMatchObject({ limit: 'resendCooldown', retryAfter: 30 })
    expect(kit.sms.outbox).toHaveLength(1)
  })

  it('per client IP, from the configured trusted source only', async () => {
    const kit = makeKit({ sendPinPerIpLimit: '2/1h', getClientIp: (c) => c.req.header('X-Test-Client-IP') })
    const from = (ip: string, phoneNumber: string) =>
      kit.post('/pin', { phoneNumber }, { 'X-Test-Client-IP': ip })
    expect((await from('203.0.113.7', '+385911111111')).status).toBe(201)
    expect((await from('203.0.113.7', '+385912222222')).status).toBe(201)
    const third = await from('203.0.113.7', '+385913333333')
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerIp' })
    expect((await from('198.51.100.1', '+385913333333')).status).toBe(201)
  })

  it('the application-wide cap trips', async () => {
    const kit = makeKit({ sendPinPerApplicationLimit: '2/1d' })
    expect((await kit.post('/pin', { phoneNumber: '+385911234567' })).status).toBe(201)
    expect((await kit.post('/pin', { phoneNumber: '+4915112345678' })).status).toBe(201)
    const third = await kit.post('/pin', { phoneNumber: '+33612345678' })
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerApplication' })
    expect(kit.sms.outbox).toHaveLength(2)
  })

  it('a refused send gives back the buckets it took', async () => {
    const kit = makeKit({ sendPinPerApplicationLimit: '1/1d', sendPinPerPhoneNumberLimit: '1/1d' })
    expect((await kit.post('/pin', { phoneNumber: '+385911234567' })).status).toBe(201)
    // Refused by the application cap: the second number's own budget must stay untouched.
    expect((await kit.post('/pin', { phoneNumber: '+385921234567' })).status).toBe(429)
    const numberBucket = await kit.store.hit('send:number:+385921234567', 1, 86_400_000, kit.clock.now(), 0)
    expect(numberBucket.count).toBe(0)
  })
})
