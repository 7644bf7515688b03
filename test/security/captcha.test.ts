// The captcha (Cloudflare Turnstile) is verified server-side before any lookup or send, so a script
// that has not solved it spends nothing: once per token, for this site's hostname and action.
// Missing, failed or unverifiable tokens are refused with their own codes, and the SMS provider is
// called 0 times for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { turnstileCaptcha } from '../../server/captcha/turnstile.js'
import { optionsFromVariables } from '../../server/runtime/env.js'
import type { TwoFactorInit } from '../../server/index.js'
import {
  FAKE_TURNSTILE_SECRET,
  FAKE_TURNSTILE_SITE_KEY,
  startFakeTurnstile,
  type FakeTurnstile,
} from '../fakes/turnstile.js'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'

let turnstile: FakeTurnstile

beforeAll(async () => {
  turnstile = await startFakeTurnstile()
})
afterAll(async () => {
  await turnstile.close()
})

function kitWithCaptcha(overrides: TwoFactorInit = {}) {
  return makeKit({
    captcha: turnstileCaptcha({
      siteKey: FAKE_TURNSTILE_SITE_KEY,
      secretKey: FAKE_TURNSTILE_SECRET,
      baseUrl: turnstile.url,
    }),
    allowedOrigins: ['https://shop.example'],
    getClientIp: (c) => c.req.header('X-Test-Client-IP'),
    providerTimeout: '500ms',
    ...overrides,
  })
}

describe('captcha before any paid step', () => {
  it('GET /config tells the widget the site key, action and mode, never the secret', async () => {
    const kit = kitWithCaptcha()
    const config = await (await kit.get('/config')).json()
    expect(config.captcha).toEqual({
      provider: 'turnstile',
      siteKey: FAKE_TURNSTILE_SITE_KEY,
      action: 'two-factor-send',
      mode: 'always',
    })
    expect(JSON.stringify(config)).not.toContain(FAKE_TURNSTILE_SECRET)
    expect((await (await makeKit().get('/config')).json()).captcha).toBeNull()
  })

  it('a solved challenge lets the send through; the exact siteverify request is made', async () => {
    const kit = kitWithCaptcha()
    const before = turnstile.requests.length
    const token = turnstile.issue()
    const response = await kit.post(
      '/pin',
      { phoneNumber: MOBILE_HR, captchaToken: token },
      { 'X-Test-Client-IP': '203.0.113.9' },
    )
    expect(response.status).toBe(201)
    expect(kit.sms.outbox).toHaveLength(1)
    const [request] = turnstile.requests.slice(before)
    expect(request).toMatchObject({ method: 'POST', path: '/turnstile/v0/siteverify' })
    expect(request!.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request!.body)).toEqual({
      secret: FAKE_TURNSTILE_SECRET,
      response: token,
      remoteip: '203.0.113.9',
    })
  })

  it('no token → CAPTCHA_REQUIRED; nothing is sent and no budget is spent', async () => {
    const kit = kitWithCaptcha({ sendPinPerPhoneNumberLimit: '1/1d' })
    const before = turnstile.requests.length
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(400)
    expect(await errorOf(response)).toMatchObject({ code: 'CAPTCHA_REQUIRED' })
    expect(turnstile.requests.length).toBe(before)
    expect(kit.sms.outbox).toHaveLength(0)
    // The number's single send of the day is still there for the real user.
    expect((await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: turnstile.issue() })).status).toBe(
      201,
    )
  })

  it('a token Turnstile does not know → CAPTCHA_FAILED with its reason, no SMS', async () => {
    const kit = kitWithCaptcha()
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: 'forged-token' })
    expect(response.status).toBe(403)
    expect(await errorOf(response)).toMatchObject({
      code: 'CAPTCHA_FAILED',
      reasons: ['invalid-input-response'],
    })
    expect(kit.sms.outbox).toHaveLength(0)
  })

  it('a token is good once: the second use is refused (timeout-or-duplicate)', async () => {
    const kit = kitWithCaptcha({ resendCooldown: '1ms' })
    const token = turnstile.issue()
    expect((await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: token })).status).toBe(201)
    const again = await kit.post('/pin', { phoneNumber: '+385912345678', captchaToken: token })
    expect(await errorOf(again)).toMatchObject({ code: 'CAPTCHA_FAILED', reasons: ['timeout-or-duplicate'] })
    expect(kit.sms.outbox).toHaveLength(1)
  })

  it('a challenge solved on another site or for another action is refused', async () => {
    const kit = kitWithCaptcha()
    const elsewhere = await kit.post('/pin', {
      phoneNumber: MOBILE_HR,
      captchaToken: turnstile.issue({ hostname: 'evil.example' }),
    })
    expect(await errorOf(elsewhere)).toMatchObject({ code: 'CAPTCHA_FAILED', reasons: ['hostname-mismatch'] })
    const otherAction = await kit.post('/pin', {
      phoneNumber: MOBILE_HR,
      captchaToken: turnstile.issue({ action: 'login' }),
    })
    expect(await errorOf(otherAction)).toMatchObject({ code: 'CAPTCHA_FAILED', reasons: ['action-mismatch'] })
    expect(kit.sms.outbox).toHaveLength(0)
  })

  it.each(['server-error', 'malformed', 'hang', 'internal-error'] as const)(
    'Turnstile %s → CAPTCHA_UNAVAILABLE (503, Retry-After): fail closed, no SMS',
    async (scenario) => {
      const kit = kitWithCaptcha()
      turnstile.failNext(scenario)
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: turnstile.issue() })
      expect(response.status).toBe(503)
      expect(response.headers.get('Retry-After')).toBe('5')
      expect(await errorOf(response)).toMatchObject({ code: 'CAPTCHA_UNAVAILABLE' })
      expect(kit.sms.outbox).toHaveLength(0)
    },
  )

  it('a wrong secret key is our mistake, not the visitor’s: 503 and a logged error', async () => {
    const kit = kitWithCaptcha({
      captcha: turnstileCaptcha({
        siteKey: FAKE_TURNSTILE_SITE_KEY,
        secretKey: 'wrong',
        baseUrl: turnstile.url,
      }),
    })
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: turnstile.issue() })
    expect(await errorOf(response)).toMatchObject({ code: 'CAPTCHA_UNAVAILABLE' })
    expect(kit.logs.join('\n')).toContain('invalid-input-secret')
  })

  it('an invalid number is refused before Turnstile is asked (offline checks are free)', async () => {
    const kit = kitWithCaptcha()
    const before = turnstile.requests.length
    const response = await kit.post('/pin', { phoneNumber: '+442071838750', captchaToken: turnstile.issue() })
    expect(await errorOf(response)).toMatchObject({ code: 'NUMBER_TYPE_NOT_ALLOWED' })
    expect(turnstile.requests.length).toBe(before)
  })

  it('test numbers skip the captcha, as they skip quotas', async () => {
    const kit = kitWithCaptcha({ testNumbers: { '+15005550006': '123456' } })
    expect((await kit.post('/pin', { phoneNumber: '+15005550006' })).status).toBe(201)
  })

  it('an over-long token is a bad request, not a call to Turnstile', async () => {
    const kit = kitWithCaptcha()
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR, captchaToken: 'x'.repeat(2049) })
    expect(await errorOf(response)).toMatchObject({ code: 'INVALID_REQUEST' })
  })
})

describe('captcha configuration', () => {
  it('refuses a Turnstile verifier without keys, and half a pair of environment variables', () => {
    expect(() => turnstileCaptcha({ siteKey: 'site', secretKey: '' })).toThrow(/secretKey/)
    expect(() => turnstileCaptcha({ siteKey: 'site', secretKey: 'secret', action: 'has spaces' })).toThrow(
      /action/,
    )
    expect(() => optionsFromVariables({ TURNSTILE_SITE_KEY: 'site' }, false)).toThrow(/TURNSTILE_SECRET_KEY/)
    const options = optionsFromVariables(
      {
        TURNSTILE_SITE_KEY: 'site',
        TURNSTILE_SECRET_KEY: 'secret',
        TWO_FACTOR_CAPTCHA_HOSTNAMES: 'a.example,b.example',
      },
      false,
    )
    expect(options.captcha?.widget).toEqual({
      provider: 'turnstile',
      siteKey: 'site',
      action: 'two-factor-send',
    })
    expect(options.captchaHostnames).toEqual(['a.example', 'b.example'])
  })

  it('refuses captchaHostnames that are not hostnames', () => {
    expect(() =>
      makeKit({
        captcha: turnstileCaptcha({ siteKey: 's', secretKey: 'k' }),
        captchaHostnames: ['https://shop.example/'],
      }),
    ).toThrow(/captchaHostnames/)
  })
})
