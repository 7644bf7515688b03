// What the app shows of its configuration to the code that holds it.
import { describe, expect, it } from 'vitest'
import { generateSigningKey } from '../core/token.js'
import { twoFactor } from '../index.js'

describe('app.config', () => {
  it('shows only what is safe to log: no secret, no signing key, no store or provider objects, frozen', async () => {
    const signingKey = await generateSigningKey()
    // `openssl rand -base64 32`: production refuses low-entropy secrets.
    const secret = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
    const app = twoFactor({
      environment: 'production',
      secret,
      allowConsoleSmsInProduction: true,
      signingKey,
      issuer: 'https://shop.example',
      audience: 'shop.example',
      allowedCountries: ['HR', 'DE'],
      logger: { info() {}, warn() {}, error() {} },
    })
    expect(app.config).toEqual({
      environment: 'production',
      issuer: 'https://shop.example',
      audience: 'shop.example',
      pinLength: 6,
      pinType: 'NUMERIC',
      pinTtlMs: 600_000,
      pinAttempts: 5,
      resendCooldownMs: 30_000,
      tokenTtlMs: 300_000,
      language: 'en',
      allowedCountries: ['HR', 'DE'],
      allowedOrigins: [],
      providers: ['console'],
      lookup: null,
    })
    const logged = JSON.stringify(app.config)
    expect(logged).not.toContain(secret)
    expect(logged).not.toContain(String(signingKey.d))
    expect(Object.isFrozen(app.config)).toBe(true)
    expect(() => {
      ;(app.config as { issuer: string }).issuer = 'https://attacker.example'
    }).toThrow(TypeError)
  })
})
