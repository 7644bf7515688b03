// Every endpoint of the HTTP API through app.request: the contract's field names, codes and statuses.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit, MOBILE_HR } from '../../test/helpers/kit.js'

describe('GET /config', () => {
  it('tells the widget what it needs', async () => {
    const kit = makeKit({
      pinLength: 8,
      pinType: 'ALPHANUMERIC',
      resendCooldown: '45s',
      allowedCountries: ['HR', 'DE'],
    })
    expect(await (await kit.get('/config')).json()).toEqual({
      pinLength: 8,
      pinType: 'ALPHANUMERIC',
      pinTimeToLive: 600,
      resendCooldown: 45,
      pinAttempts: 5,
      allowedCountries: ['HR', 'DE'],
      language: 'en',
      captcha: null,
    })
  })
})

describe('POST /pin', () => {
  it('sends a PIN to an international number: 201 with the documented fields', async () => {
    const kit = makeKit()
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(201)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toEqual({
      pinId: expect.stringMatching(/^[0-9A-F]{32}$/),
      to: '+385 •• ••• ••67',
      expiresAt: new Date(kit.clock.now() + 600_000).toISOString(),
      resendAvailableAt: new Date(kit.clock.now() + 30_000).toISOString(),
      attemptsRemaining: 5,
      lookup: { valid: true, country: 'HR', numberType: 'MOBILE', ncStatus: 'NC_NOT_CONFIGURED' },
      sms: {
        status: 'MESSAGE_SENT',
        provider: 'console',
        messageId: expect.any(String),
        encoding: 'GSM-7',
        segments: 1,
      },
    })
    expect(kit.sms.outbox).toHaveLength(1)
    expect(kit.sms.outbox[0]).toMatchObject({ to: MOBILE_HR })
    expect(kit.sms.outbox[0]!.text).toMatch(/^\d{6} is your two-factor-kit code\. It expires in 10 min\.$/)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })

  it('accepts a national number with a country', async () => {
    const kit = makeKit()
    const response = await kit.post('/pin', { phoneNumber: '091 123 4567', country: 'hr' })
    expect(response.status).toBe(201)
    expect(kit.sms.outbox[0]!.to).toBe(MOBILE_HR)
  })

  it('writes in the requested language when there is a text for it', async () => {
    const kit = makeKit()
    await kit.post('/pin', { phoneNumber: MOBILE_HR, language: 'de-AT' })
    expect(kit.sms.outbox[0]!.text).toMatch(/ist Ihr two-factor-kit-Code/)
    await kit.post('/pin', { phoneNumber: '+385921234567', language: 'ja' })
    expect(kit.sms.outbox[1]!.text).toMatch(/is your/)
  })

  it('ends the SMS with the WebOTP line for the configured origin, never the request host', async () => {
    const kit = makeKit({ allowedOrigins: ['https://shop.example'], androidAppHash: 'FA+9qCX9VSu' })
    await kit.post(
      '/pin',
      { phoneNumber: MOBILE_HR },
      { Host: 'evil.example', Origin: 'https://evil.example' },
    )
    const pin = kit.lastPin()
    expect(kit.sms.outbox[0]!.text.split('\n')).toEqual([
      `${pin} is your two-factor-kit code. It expires in 10 min.`,
      '',
      'FA+9qCX9VSu',
      `@shop.example #${pin}`,
    ])
  })

  it('reports the encoding and segment count of each SMS', async () => {
    const kit = makeKit({ messageText: { en: 'Kôd {{pin}} — 😀', hr: 'Kod {{pin}}' } })
    const body = (await (await kit.post('/pin', { phoneNumber: MOBILE_HR })).json()) as { sms: object }
    expect(body.sms).toMatchObject({ encoding: 'UCS-2', segments: 1 })
  })

  it('answers CORS preflights for the allowed origins only', async () => {
    const kit = makeKit({ allowedOrigins: ['https://shop.example'] })
    const preflight = (origin: string) =>
      kit.app.request('/pin', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      })
    expect((await preflight('https://shop.example')).headers.get('Access-Control-Allow-Origin')).toBe(
      'https://shop.example',
    )
    expect((await preflight('https://evil.example')).headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('fills a custom template with its placeholders', async () => {
    const kit = makeKit({
      messageText: 'Code {{pin}} for {{shop}}',
      placeholders: { shop: 'Acme' },
      senderId: 'Acme',
    })
    await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(kit.sms.outbox[0]!.text).toMatch(/^Code \d{6} for Acme$/)
  })

  it.each([
    [{ phoneNumber: '12' }, 'PHONE_NUMBER_INVALID', 'INVALID_COUNTRY'],
    [{ phoneNumber: '+385 9' }, 'PHONE_NUMBER_INVALID', 'TOO_SHORT'],
    [{ phoneNumber: '+385 91 123 4567 8901 2345' }, 'PHONE_NUMBER_INVALID', 'TOO_LONG'],
    [{ phoneNumber: 'call me maybe' }, 'PHONE_NUMBER_INVALID', 'NOT_A_NUMBER'],
    [{ phoneNumber: '+385 99 999 99' }, 'PHONE_NUMBER_INVALID', 'INVALID'],
  ])('refuses %j with %s (%s), sending nothing', async (body, code, reason) => {
    const kit = makeKit()
    const response = await kit.post('/pin', body)
    expect(response.status).toBe(400)
    expect(await errorOf(response)).toMatchObject({ code, reason })
    expect(kit.sms.outbox).toHaveLength(0)
  })

  it.each([
    ['+442071838750', 'FIXED_LINE'],
    ['+18005550100', 'TOLL_FREE'],
    ['+15005550006', 'PERSONAL_NUMBER'],
    ['+441134960000', 'FIXED_LINE'],
    ['+445600123456', 'VOIP'],
    ['+449098790000', 'PREMIUM_RATE'],
  ])(
    'refuses %s, a %s number, before any PIN exists or SMS is paid for (only the request is counted)',
    async (phoneNumber, numberType) => {
      const kit = makeKit()
      const response = await kit.post('/pin', { phoneNumber })
      expect(response.status).toBe(422)
      expect(await errorOf(response)).toMatchObject({ code: 'NUMBER_TYPE_NOT_ALLOWED', numberType })
      expect(kit.sms.outbox).toHaveLength(0)
      // Nothing but the statistics (the hour's and the running totals) counting one request.
      expect(kit.store.size).toBe(2)
      expect((await kit.app.policy.hourlyStats(1))[0]!.counters.requested).toBe(1)
    },
  )

  it('allows VoIP when configured', async () => {
    const kit = makeKit({ allowedNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE', 'VOIP'] })
    expect((await kit.post('/pin', { phoneNumber: '+445600123456' })).status).toBe(201)
  })

  it('refuses a country outside the allow-list with 403 SEND_BLOCKED before spending anything, and records only the request and its refusal', async () => {
    const kit = makeKit({ allowedCountries: ['DE'] })
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(403)
    expect(await errorOf(response)).toMatchObject({
      code: 'SEND_BLOCKED',
      reason: 'COUNTRY_NOT_ALLOWED',
      scope: 'country:HR',
    })
    expect(kit.sms.outbox).toHaveLength(0)
    // The statistics (the hour's and the running totals): one request, refused for its country.
    expect(kit.store.size).toBe(2)
    expect(await kit.app.policy.hourlyStats(1)).toStrictEqual([
      {
        hour: expect.any(String),
        counters: { requested: 1, 'requested|country:HR': 1, 'refused|COUNTRY_NOT_ALLOWED': 1 },
      },
    ])
  })

  it.each([
    ['{"phoneNumber":', 'application/json', 400, 'INVALID_JSON'],
    ['{}', 'application/json', 400, 'INVALID_REQUEST'],
    ['{"phoneNumber": 385911234567}', 'application/json', 400, 'INVALID_REQUEST'],
    ['{"phoneNumber": "+385911234567", "country": "Croatia"}', 'application/json', 400, 'INVALID_REQUEST'],
    ['[]', 'application/json', 400, 'INVALID_REQUEST'],
    ['null', 'application/json', 400, 'INVALID_REQUEST'],
    ['phoneNumber=%2B385911234567', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [JSON.stringify({ phoneNumber: 'x'.repeat(10_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
  ])('bad input %s (%s) → %i %s, never a 500', async (body, type, status, code) => {
    const kit = makeKit()
    const response = await kit.app.request('/pin', {
      method: 'POST',
      headers: { 'Content-Type': type },
      body,
    })
    expect(response.status).toBe(status)
    expect((await errorOf(response)).code).toBe(code)
  })

  it('a test number sends nothing, skips quotas and verifies with its fixed PIN', async () => {
    const kit = makeKit({ testNumbers: { '+15005550006': '123456' }, sendPinPerPhoneNumberLimit: '1/1d' })
    for (let i = 0; i < 3; i++) {
      const response = await kit.post('/pin', { phoneNumber: '+1 500 555 0006' })
      expect(response.status).toBe(201)
      const { pinId, sms } = (await response.json()) as { pinId: string; sms: unknown }
      expect(sms).toEqual({ status: 'MESSAGE_NOT_SENT', provider: null, reason: 'TEST_NUMBER' })
      expect((await kit.post(`/pin/${pinId}/verify`, { pin: '123456' })).status).toBe(200)
    }
    expect(kit.sms.outbox).toHaveLength(0)
  })
})

describe('POST /pin/:pinId/resend', () => {
  it('re-sends the same PIN after the cooldown, keeps the attempt count, and doubles the wait before the next (up to 10 % jitter)', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    await kit.post(`/pin/${pinId}/verify`, { pin: pin === '000000' ? '111111' : '000000' })
    kit.clock.advance(30_000)
    const response = await kit.post(`/pin/${pinId}/resend`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      pinId,
      attemptsRemaining: 4,
      sms: { status: 'MESSAGE_SENT', provider: 'console' },
    })
    const wait = Date.parse(body.resendAvailableAt as string) - kit.clock.now()
    expect(wait).toBeGreaterThanOrEqual(60_000)
    expect(wait).toBeLessThanOrEqual(66_000)
    expect(kit.sms.outbox).toHaveLength(2)
    expect(kit.lastPin()).toBe(pin)
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
  })

  it('too early → 429 RATE_LIMITED with Retry-After, and the provider is not called', async () => {
    const kit = makeKit()
    const { pinId } = await kit.startVerification()
    kit.clock.advance(10_000)
    const response = await kit.post(`/pin/${pinId}/resend`)
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBe('20')
    expect(await errorOf(response)).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 'resendCooldown',
      retryAfter: 20,
    })
    expect(kit.sms.outbox).toHaveLength(1)
  })

  it('counts against the per-number send limit', async () => {
    const kit = makeKit({ sendPinPerPhoneNumberLimit: '2/1d', resendCooldown: '1s' })
    const { pinId } = await kit.startVerification()
    kit.clock.advance(1_000)
    expect((await kit.post(`/pin/${pinId}/resend`)).status).toBe(200)
    kit.clock.advance(3_000) // past the doubled wait (2 s, with at most 10 % jitter)
    const third = await kit.post(`/pin/${pinId}/resend`)
    expect(third.status).toBe(429)
    expect(await errorOf(third)).toMatchObject({ limit: 'sendPinPerPhoneNumber' })
    expect(kit.sms.outbox).toHaveLength(2)
    kit.clock.advance(1_000)
    const fresh = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(fresh.status).toBe(429)
    expect(Number(fresh.headers.get('Retry-After'))).toBeGreaterThan(80_000)
  })

  it('refuses a verified PIN', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    await kit.post(`/pin/${pinId}/verify`, { pin })
    kit.clock.advance(30_000)
    expect((await errorOf(await kit.post(`/pin/${pinId}/resend`))).code).toBe('PIN_NOT_FOUND')
  })
})

describe('POST /pin/:pinId/verify', () => {
  it('the right PIN → 200 { verified, token, expiresAt }', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    const response = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      verified: true,
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresAt: new Date(Math.floor(kit.clock.now() / 1000) * 1000 + 300_000).toISOString(),
    })
  })

  it('a wrong PIN → 422 WRONG_PIN with attemptsRemaining', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    const response = await kit.post(`/pin/${pinId}/verify`, { pin: pin === '123456' ? '654321' : '123456' })
    expect(response.status).toBe(422)
    expect(await errorOf(response)).toEqual({
      code: 'WRONG_PIN',
      message: 'Wrong code. Please try again.',
      attemptsRemaining: 4,
    })
  })

  it('a malformed PIN is refused without costing an attempt', async () => {
    const kit = makeKit()
    const { pinId } = await kit.startVerification()
    for (const pin of ['12345', '1234567', 'abcdef', '']) {
      const response = await kit.post(`/pin/${pinId}/verify`, { pin })
      expect(response.status).toBe(400)
      expect(await errorOf(response)).toMatchObject({ code: 'PIN_FORMAT_INVALID', pinLength: 6 })
    }
    expect((await kit.store.getPin(pinId))!.attemptsRemaining).toBe(5)
  })

  it('accepts spaces and lower case in letter PINs', async () => {
    const kit = makeKit({ pinType: 'HEX' })
    const { pinId, pin } = await kit.startVerification()
    const typed = `${pin.slice(0, 3)} ${pin.slice(3)}`.toLowerCase()
    expect((await kit.post(`/pin/${pinId}/verify`, { pin: typed })).status).toBe(200)
  })

  it('the verify limit per PIN answers 429 with Retry-After', async () => {
    const kit = makeKit({ verifyPinLimit: '1/3s' })
    const { pinId, pin } = await kit.startVerification()
    await kit.post(`/pin/${pinId}/verify`, { pin: pin === '000000' ? '111111' : '000000' })
    const limited = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('3')
    expect(await errorOf(limited)).toMatchObject({ code: 'RATE_LIMITED', limit: 'verifyPin' })
    kit.clock.advance(3_000)
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
  })
})

describe('GET /pin/:pinId', () => {
  it("shows a usable PIN's state without secrets; once verified it answers as an unknown pinId", async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    const state = async () => (await (await kit.get(`/pin/${pinId}`)).json()) as Record<string, unknown>
    expect(await state()).toEqual({
      pinId,
      to: '+385 •• ••• ••67',
      status: 'DELIVERED',
      deliveryStatus: 'DELIVERED',
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      attemptsRemaining: 5,
    })
    await kit.post(`/pin/${pinId}/verify`, { pin })
    const after = await kit.get(`/pin/${pinId}`)
    expect(after.status).toBe(404)
    expect(await errorOf(after)).toEqual(
      await errorOf(await kit.get('/pin/0123456789ABCDEF0123456789ABCDEF')),
    )
  })
})

describe('unknown routes and ids', () => {
  it('404 NOT_FOUND for unknown routes, PIN_NOT_FOUND for unknown or malformed pinIds', async () => {
    const kit = makeKit()
    expect((await errorOf(await kit.get('/nope'))).code).toBe('NOT_FOUND')
    for (const pinId of ['0123456789ABCDEF0123456789ABCDEF', 'not-an-id', '%00', 'x'.repeat(500)]) {
      const response = await kit.post(`/pin/${pinId}/verify`, { pin: '123456' })
      expect(response.status).toBe(404)
      expect((await errorOf(response)).code).toBe('PIN_NOT_FOUND')
    }
  })

  it('serves the JWKS with the public key only', async () => {
    const kit = makeKit()
    const response = await kit.get('/.well-known/jwks.json')
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> }
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    expect(keys[0]).not.toHaveProperty('d')
    expect(response.headers.get('Cache-Control')).toContain('max-age')
  })
})
