// Production is never silently unsafe: a setting that would lose money, leak a PIN or break across
// instances stops start-up with a message naming what to set.
import { describe, expect, it } from 'vitest'
import {
  consoleProvider,
  ConfigurationError,
  generateSigningKey,
  twoFactor,
  type SmsProvider,
  type TwoFactorInit,
} from '../../server/index.js'

// `openssl rand -base64 32`
const STRONG_SECRET = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
const quiet = { info() {}, warn() {}, error() {} }

const realProvider: SmsProvider = {
  name: 'acme-sms',
  async send() {
    return { messageId: 'm-1', status: 'ACCEPTED', provider: 'acme-sms' }
  },
}

async function production(overrides: TwoFactorInit = {}): Promise<TwoFactorInit> {
  return {
    environment: 'production',
    secret: STRONG_SECRET,
    signingKey: await generateSigningKey(),
    issuer: 'https://shop.example',
    audience: 'shop.example',
    sms: realProvider,
    logger: quiet,
    allowedCountries: ['HR', 'DE'],
    ...overrides,
  }
}

describe('the console SMS provider in production', () => {
  it('is refused when no provider is given (the default would send nothing and print every PIN), naming SMS_PROVIDER', async () => {
    const { sms: _sms, ...withoutSms } = await production()
    expect(() => twoFactor(withoutSms)).toThrow(ConfigurationError)
    expect(() => twoFactor(withoutSms)).toThrow(/SMS_PROVIDER/)
    expect(() => twoFactor({ ...withoutSms, sms: consoleProvider({ print: null, maskPins: true }) })).toThrow(
      /TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION/,
    )
  })

  it('is refused in a failover list too', async () => {
    const options = await production({
      sms: [realProvider, consoleProvider({ print: null, maskPins: true })],
    })
    expect(() => twoFactor(options)).toThrow(/SMS_PROVIDER/)
  })

  it("when explicitly allowed, prints neither the PIN nor the full number (through the kit's logger)", async () => {
    // The console provider twoFactor() makes prints through the kit's logger: one line per SMS.
    const lines: string[] = []
    const line = (fields: object | string, message?: string) =>
      lines.push(`${message} ${JSON.stringify(fields)}`)
    const { sms: _sms, ...withoutSms } = await production({
      allowConsoleSmsInProduction: true,
      logger: { info: line, warn: line, error: line },
    })
    const app = twoFactor(withoutSms)
    await app.ready
    const response = await app.request('/pin', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+385911234567' }),
    })
    expect(response.status).toBe(201)
    const printed = lines.filter((text) => text.includes('SMS to'))
    expect(printed).toHaveLength(1)
    expect(printed[0]).toMatch(/SMS to/)
    expect(printed[0]).not.toMatch(/\d{6}/)
    expect(printed[0]).not.toContain('911234567')
  })

  it('an allowed console provider that would print PINs is refused, naming maskPins', async () => {
    const options = await production({
      sms: consoleProvider({ print: null }),
      allowConsoleSmsInProduction: true,
    })
    expect(() => twoFactor(options)).toThrow(/maskPins/)
    expect(() =>
      twoFactor({ ...options, sms: consoleProvider({ print: null, maskPins: true }) }),
    ).not.toThrow()
  })

  it('a masked console provider keeps no PIN in its outbox either', async () => {
    const sms = consoleProvider({ print: null, maskPins: true })
    await sms.send({ to: '+385911234567', text: '482913 is your code', reference: 'r-1' })
    expect(JSON.stringify(sms.outbox)).not.toContain('482913')
    expect(JSON.stringify(sms.outbox)).not.toContain('911234567')
  })
})

describe('weak settings in production', () => {
  const randomSecret = (bytes: number, encoding: 'base64' | 'hex') => {
    const raw = crypto.getRandomValues(new Uint8Array(bytes))
    return encoding === 'hex'
      ? [...raw].map((b) => b.toString(16).padStart(2, '0')).join('')
      : btoa(String.fromCharCode(...raw))
  }

  it.each([
    'changeme-changeme-changeme-changeme',
    '0123456789abcdef0123456789abcdef',
    '12345678901234567890123456789012345',
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
    'startup-test-secret-0123456789-abcdefghijkl',
    'Zx9!Zx9!Zx9!Zx9!Zx9!Zx9!Zx9!Zx9!Zx9!Zx9!',
    'MyCompanyPassword-2026-for-two-factor-kit',
  ])('secret %j is refused, naming TWO_FACTOR_SECRET and how to make one', async (secret) => {
    const options = await production({ secret })
    expect(() => twoFactor(options)).toThrow(ConfigurationError)
    expect(() => twoFactor(options)).toThrow(
      /TWO_FACTOR_SECRET.*openssl rand|openssl rand.*TWO_FACTOR_SECRET/,
    )
    // Development keeps working with such a secret (its own check is length and variety only).
    if (new Set(secret).size >= 8)
      expect(() => twoFactor({ ...options, environment: 'development' })).not.toThrow()
  })

  it('1,000 random secrets of each usual form (openssl rand -base64 32, -hex 32, -hex 16) are all accepted', async () => {
    const options = await production()
    for (const [bytes, encoding] of [
      [32, 'base64'],
      [32, 'hex'],
      [16, 'hex'],
    ] as const)
      for (let i = 0; i < 1000; i++) {
        const secret = randomSecret(bytes, encoding)
        expect(() => twoFactor({ ...options, secret }), secret).not.toThrow()
      }
  })

  it.each<[TwoFactorInit, string]>([
    [{ pinLength: 4, pinAttempts: 100 }, 'guessing odds 5e-2'],
    [{ pinLength: 4 }, 'guessing odds 2.5e-3'],
    [{ sendPinPerPhoneNumberLimit: '1000/1d' }, 'guessing odds 5e-3'],
    [{ sendPinPerPhoneNumberLimit: '20/1h' }, 'guessing odds 2.4e-3: 480 sends a day'],
  ])('%j (%s) is refused: at most 1e-3 per number per day, naming the variables', async (weak, _odds) => {
    const options = await production(weak)
    expect(() => twoFactor(options)).toThrow(/TWO_FACTOR_PIN_LENGTH/)
    expect(() => twoFactor(options)).toThrow(/TWO_FACTOR_PIN_ATTEMPTS/)
    expect(() => twoFactor(options)).toThrow(/TWO_FACTOR_SEND_PER_NUMBER_LIMIT/)
    expect(() => twoFactor({ ...options, environment: 'development' })).not.toThrow()
  })

  it('the defaults and a stricter 8-digit PIN with more attempts are accepted', async () => {
    const defaults = await production()
    expect(() => twoFactor(defaults)).not.toThrow()
    const stricter = await production({ pinLength: 8, pinAttempts: 10, sendPinPerPhoneNumberLimit: '10/1d' })
    expect(() => twoFactor(stricter)).not.toThrow()
  })

  it('a PIN lifetime above 10 minutes needs TWO_FACTOR_ALLOW_LONG_PIN_TTL; a year is refused even then', async () => {
    for (const pinTimeToLive of ['11m', '1h', '365d']) {
      const options = await production({ pinTimeToLive })
      expect(() => twoFactor(options)).toThrow(/TWO_FACTOR_PIN_TTL/)
      expect(() => twoFactor(options)).toThrow(/TWO_FACTOR_ALLOW_LONG_PIN_TTL/)
    }
    const tenMinutes = await production({ pinTimeToLive: '10m' })
    expect(() => twoFactor(tenMinutes)).not.toThrow()
    const allowed = await production({ pinTimeToLive: '30m', allowLongPinTimeToLive: true })
    expect(() => twoFactor(allowed)).not.toThrow()
    const year = await production({ pinTimeToLive: '365d', allowLongPinTimeToLive: true })
    expect(() => twoFactor(year)).toThrow(/TWO_FACTOR_PIN_TTL/)
  })

  it.each([
    ['sendPinPerApplicationLimit', '1000000/1s', 'TWO_FACTOR_SEND_PER_APPLICATION_LIMIT'],
    ['sendPinPerIpLimit', '1000000/1s', 'TWO_FACTOR_SEND_PER_IP_LIMIT'],
    ['sendPinPerRangeLimit', '1000000/1d', 'TWO_FACTOR_SEND_PER_RANGE_LIMIT'],
    ['sendPinPerWideRangeLimit', '1000000/1d', 'TWO_FACTOR_SEND_PER_WIDE_RANGE_LIMIT'],
    ['verifyPinLimit', '1000/1s', 'TWO_FACTOR_VERIFY_PIN_LIMIT'],
  ])('%s of %s is refused as no limit at all, naming %s', async (option, value, variable) => {
    const options = await production({ [option]: value })
    expect(() => twoFactor(options)).toThrow(new RegExp(variable))
    expect(() => twoFactor({ ...options, environment: 'development' })).not.toThrow()
  })
})
