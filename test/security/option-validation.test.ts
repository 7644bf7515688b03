// Options are checked whole at start-up: unknown names and wrong types stop twoFactor() with a
// ConfigurationError that names the option (and, from the environment, the variable), never a raw
// TypeError later; a signing key that can't sign stops it too, before anything is served.
import { describe, expect, it } from 'vitest'
import { ConfigurationError, generateSigningKey, twoFactor, type TwoFactorInit } from '../../server/index.js'
import { twoFactor as nodeTwoFactor } from '../../server/node.js'
import { turnstileCaptcha } from '../../server/captcha/turnstile.js'
import { consoleProvider } from '../../server/providers/console.js'
import { infobipProvider } from '../../server/providers/infobip.js'
import { twilioProvider } from '../../server/providers/twilio.js'
import { vonageProvider } from '../../server/providers/vonage.js'

const quiet = { info() {}, warn() {}, error() {} }
const development = (options: Record<string, unknown>) =>
  twoFactor({ environment: 'development', logger: quiet, ...options } as TwoFactorInit)

describe('option names and types', () => {
  it.each([
    [{ pinTimeToLive: 600 }, /"pinTimeToLive" must be a duration string like "10m".*; got the number 600/],
    [{ pinAttempts: '5' }, /"pinAttempts" must be a number; got the string "5"/],
    [{ allowTestNumbersInProduction: 'yes' }, /"allowTestNumbersInProduction" must be true or false/],
    [{ logger: {} }, /"logger" must have info\(\), warn\(\) and error\(\)/],
    [{ clock: 0 }, /"clock" must be a function/],
    [{ allowedOrigins: 'https://shop.example' }, /"allowedOrigins" must be an array/],
    [{ testNumbers: [] }, /"testNumbers" must be an object/],
  ])('%j stops start-up with a ConfigurationError', (options, message) => {
    expect(() => development(options)).toThrow(ConfigurationError)
    expect(() => development(options)).toThrow(message)
  })

  it('an unknown option name stops start-up, suggesting the option meant', () => {
    expect(() => development({ pinTimeToLve: '5m' })).toThrow(ConfigurationError)
    expect(() => development({ pinTimeToLve: '5m' })).toThrow(
      /unknown option "pinTimeToLve" \(did you mean "pinTimeToLive"\?\)/,
    )
    expect(() => development({ colour: 'red' })).toThrow(/unknown option "colour"/)
  })

  it('a value from the environment names its variable', () => {
    expect(() => nodeTwoFactor({ TWO_FACTOR_PIN_LENGTH: 'six' }, { logger: quiet })).toThrow(
      /TWO_FACTOR_PIN_LENGTH/,
    )
    expect(() => nodeTwoFactor({ TWO_FACTOR_PIN_ATTEMPTS: '5x' }, { logger: quiet })).toThrow(
      /TWO_FACTOR_PIN_ATTEMPTS/,
    )
  })
})

describe('a signing key that parses but cannot sign', () => {
  it.each([
    ['an RSA key', { kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB' }],
    ['an Ed25519 key with a short d', { kty: 'OKP', crv: 'Ed25519', d: 'abc', x: 'def' }],
    [
      'an Ed25519 key without x',
      { kty: 'OKP', crv: 'Ed25519', d: 'NP6P6xz0Y-kPD1ZjZk4qaTl-ZN2Bb3zp2MituJdxXek' },
    ],
    [
      'a P-256 key without y',
      {
        kty: 'EC',
        crv: 'P-256',
        d: 'NP6P6xz0Y-kPD1ZjZk4qaTl-ZN2Bb3zp2MituJdxXek',
        x: 'ZaskXV5RiYEyfq4nyaS5NpsItlk9ur82sXX8LSfWnIw',
      },
    ],
  ])('%s stops twoFactor() itself, naming TWO_FACTOR_PRIVATE_JWK', (_, key) => {
    expect(() => development({ signingKey: key })).toThrow(ConfigurationError)
    expect(() => development({ signingKey: JSON.stringify(key) })).toThrow(/TWO_FACTOR_PRIVATE_JWK/)
  })

  it('a key whose private and public halves do not belong together fails `ready`', async () => {
    const one = await generateSigningKey()
    const other = await generateSigningKey()
    const app = development({ signingKey: { ...one, x: other.x } })
    await expect(app.ready).rejects.toThrow(ConfigurationError)
    await expect(app.ready).rejects.toThrow(/TWO_FACTOR_PRIVATE_JWK/)
  })
})

describe('adapter factories', () => {
  it.each([
    ['infobipProvider', () => infobipProvider({} as never)],
    ['twilioProvider', () => twilioProvider({ accountSid: 'nope' } as never)],
    ['vonageProvider', () => vonageProvider({} as never)],
    ['consoleProvider', () => consoleProvider({ outboxSize: 0 })],
    ['turnstileCaptcha', () => turnstileCaptcha({} as never)],
  ])('%s throws a ConfigurationError for a bad option', (_, make) => {
    expect(make).toThrow(ConfigurationError)
  })
})
