// Production on workerd is never silently unsafe: the same start-up refusals as on Node, from the
// Worker's env (ENVIRONMENT unset or "production" is production).
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { generateSigningKey } from '../../server/core/token.js'
import { ConfigurationError, twoFactor, type TwoFactorWorkerEnv } from '../../server/workers.js'

const quiet = { info() {}, warn() {}, error() {} }
// `openssl rand -base64 32`
const STRONG_SECRET = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='

async function productionEnv(extra: Record<string, string> = {}): Promise<TwoFactorWorkerEnv> {
  return {
    TWO_FACTOR_STORE: (env as TwoFactorWorkerEnv).TWO_FACTOR_STORE,
    ENVIRONMENT: 'production',
    TWO_FACTOR_SECRET: STRONG_SECRET,
    TWO_FACTOR_PRIVATE_JWK: JSON.stringify(await generateSigningKey()),
    TWO_FACTOR_ISSUER: 'https://shop.example',
    TWO_FACTOR_AUDIENCE: 'shop.example',
    TWO_FACTOR_ALLOWED_COUNTRIES: 'HR,DE',
    ...extra,
  } as TwoFactorWorkerEnv
}

describe('a production Worker', () => {
  it('without TWO_FACTOR_ALLOWED_COUNTRIES refuses to start, naming it; "*" accepts every country knowingly', async () => {
    const base = await productionEnv({
      SMS_PROVIDER: 'console',
      TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true',
    })
    const { TWO_FACTOR_ALLOWED_COUNTRIES: _countries, ...without } = base as Record<string, unknown>
    expect(() => twoFactor(without as TwoFactorWorkerEnv, { logger: quiet })).toThrow(
      /TWO_FACTOR_ALLOWED_COUNTRIES/,
    )
    const everywhere = { ...without, TWO_FACTOR_ALLOWED_COUNTRIES: '*' } as TwoFactorWorkerEnv
    expect(twoFactor(everywhere, { logger: quiet }).config.allowedCountries).toBeNull()
  })

  it('with nothing set yet refuses once, naming every variable it still needs, not one per deployment', () => {
    const fresh: TwoFactorWorkerEnv = { TWO_FACTOR_STORE: (env as TwoFactorWorkerEnv).TWO_FACTOR_STORE }
    const names = [
      'TWO_FACTOR_SECRET',
      'TWO_FACTOR_PRIVATE_JWK',
      'TWO_FACTOR_ISSUER',
      'TWO_FACTOR_AUDIENCE',
      'SMS_PROVIDER',
      'TWO_FACTOR_ALLOWED_COUNTRIES',
    ]
    let message = ''
    try {
      twoFactor(fresh, { logger: quiet })
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError)
      message = (error as Error).message
    }
    for (const name of names) expect(message).toContain(name)
    // What the code gives is not asked for again.
    let rest = ''
    try {
      twoFactor(fresh, { logger: quiet, issuer: 'https://shop.example', audience: 'shop.example' })
    } catch (error) {
      rest = (error as Error).message
    }
    expect(rest).toContain('TWO_FACTOR_SECRET')
    expect(rest).not.toContain('TWO_FACTOR_ISSUER')
    expect(rest).not.toContain('TWO_FACTOR_AUDIENCE')
  })

  it('with no SMS_PROVIDER refuses to start, naming SMS_PROVIDER', async () => {
    const workerEnv = await productionEnv()
    expect(() => twoFactor(workerEnv, { logger: quiet })).toThrow(/SMS_PROVIDER/)
  })

  it('SMS_PROVIDER=console needs TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION=true', async () => {
    const workerEnv = await productionEnv({ SMS_PROVIDER: 'console' })
    expect(() => twoFactor(workerEnv, { logger: quiet })).toThrow(
      /TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION/,
    )
    const allowed = await productionEnv({
      SMS_PROVIDER: 'console',
      TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true',
    })
    const app = twoFactor(allowed, { logger: quiet })
    await app.ready
    expect(app.config.providers).toEqual(['console'])
  })

  it.each([
    [{ TWO_FACTOR_SECRET: 'changeme-changeme-changeme-changeme' }, /TWO_FACTOR_SECRET/],
    [{ TWO_FACTOR_PIN_LENGTH: '4', TWO_FACTOR_PIN_ATTEMPTS: '100' }, /TWO_FACTOR_PIN_LENGTH/],
    [{ TWO_FACTOR_PIN_TTL: '365d' }, /TWO_FACTOR_PIN_TTL/],
    [{ TWO_FACTOR_SEND_PER_IP_LIMIT: '1000000/1s' }, /TWO_FACTOR_SEND_PER_IP_LIMIT/],
  ])('refuses weak settings %j, naming the variable', async (extra, variable) => {
    const workerEnv = await productionEnv({
      SMS_PROVIDER: 'console',
      TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true',
      ...extra,
    })
    expect(() => twoFactor(workerEnv, { logger: quiet })).toThrow(variable)
  })
})

describe('a development Worker on the Durable Object store (shared by every isolate)', () => {
  it('refuses a per-isolate random secret or ephemeral key, naming TWO_FACTOR_SECRET and TWO_FACTOR_PRIVATE_JWK', () => {
    const workerEnv = { ...(env as TwoFactorWorkerEnv), ENVIRONMENT: 'development' }
    const { TWO_FACTOR_SECRET: _secret, ...withoutSecret } = workerEnv
    const { TWO_FACTOR_PRIVATE_JWK: _key, ...withoutKey } = workerEnv
    expect(() => twoFactor(withoutSecret, { logger: quiet })).toThrow(/TWO_FACTOR_SECRET/)
    expect(() => twoFactor(withoutKey, { logger: quiet })).toThrow(/TWO_FACTOR_PRIVATE_JWK/)
    expect(() => twoFactor(workerEnv, { logger: quiet })).not.toThrow()
  })
})

describe('option names, types and keys on workerd', () => {
  it('an unknown option, a wrong type and an unusable TWO_FACTOR_PRIVATE_JWK stop start-up', () => {
    const workerEnv = env as TwoFactorWorkerEnv
    expect(() => twoFactor(workerEnv, { logger: quiet, pinTimeToLve: '5m' } as never)).toThrow(
      /unknown option "pinTimeToLve" \(did you mean "pinTimeToLive"\?\)/,
    )
    expect(() => twoFactor(workerEnv, { logger: quiet, pinTimeToLive: 600 } as never)).toThrow(
      /"pinTimeToLive" must be a duration string/,
    )
    const badKey = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: 'abc', x: 'def' })
    expect(() => twoFactor({ ...workerEnv, TWO_FACTOR_PRIVATE_JWK: badKey }, { logger: quiet })).toThrow(
      /TWO_FACTOR_PRIVATE_JWK/,
    )
  })
})
