// Production is never silently unsafe: a setting that would lose money, leak a PIN or break across
// instances stops start-up with a message naming what to set.
import { describe, expect, it, vi } from 'vitest'
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

  it('when explicitly allowed, prints neither the PIN nor the full number', async () => {
    const printed: string[] = []
    const info = vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '))
    })
    try {
      const { sms: _sms, ...withoutSms } = await production({ allowConsoleSmsInProduction: true })
      const app = twoFactor(withoutSms)
      await app.ready
      const response = await app.request('/pin', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phoneNumber: '+385911234567' }),
      })
      expect(response.status).toBe(201)
    } finally {
      info.mockRestore()
    }
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
