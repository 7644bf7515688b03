// Rotating the signing key: the kit signs with its current key only, publishes the current key and
// every previous one in its JWKS (each under its own thumbprint `kid`), and its own verifier accepts
// tokens signed by a previous key, so tokens issued just before a deploy keep working until they expire.
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, generateSigningKey, twoFactor } from '../../server/index.js'
import { optionsFromVariables } from '../../server/runtime/env.js'
import { makeKit } from '../helpers/kit.js'

const ISSUER = 'https://shop.example'
const AUDIENCE = 'shop.example'

function publicHalf(jwk: JsonWebKey): JsonWebKey {
  const { d: _private, ...rest } = jwk
  return rest
}

async function thumbprintOf(jwk: JsonWebKey): Promise<string> {
  return calculateJwkThumbprint(publicHalf(jwk) as JWK)
}

async function tokenFrom(kit: ReturnType<typeof makeKit>): Promise<string> {
  const { pinId, pin } = await kit.startVerification()
  const response = await kit.post(`/pin/${pinId}/verify`, { pin })
  return ((await response.json()) as { token: string }).token
}

async function refusal(kit: ReturnType<typeof makeKit>, token: string): Promise<string> {
  try {
    await kit.app.verifier.verify(token)
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'ACCEPTED'
}

function development(overrides: Parameters<typeof twoFactor>[0]) {
  return twoFactor({
    environment: 'development',
    secret: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    ...overrides,
  })
}

describe('signing key rotation', () => {
  it('publishes the current key first, then each previous key (public halves only), each under its thumbprint kid', async () => {
    const current = await generateSigningKey('EdDSA')
    const previousPrivate = await generateSigningKey('EdDSA')
    const previousPublic = publicHalf(await generateSigningKey('EdDSA'))
    const kit = makeKit({ signingKey: current, previousSigningKeys: [previousPrivate, previousPublic] })
    const response = await kit.get('/.well-known/jwks.json')
    const { keys } = (await response.json()) as { keys: JWK[] }
    expect(keys.map((key) => key.kid)).toEqual([
      await thumbprintOf(current),
      await thumbprintOf(previousPrivate),
      await thumbprintOf(previousPublic),
    ])
    expect(keys.map((key) => key.x)).toEqual([current.x, previousPrivate.x, previousPublic.x])
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
      expect(key).not.toHaveProperty('d')
    }
  })

  it('accepts a token signed by the previous key, and signs new tokens only with the current key', async () => {
    const previous = await generateSigningKey('EdDSA')
    const current = await generateSigningKey('EdDSA')
    const before = makeKit({ issuer: ISSUER, audience: AUDIENCE, signingKey: previous })
    const oldToken = await tokenFrom(before)
    const after = makeKit({
      issuer: ISSUER,
      audience: AUDIENCE,
      signingKey: current,
      previousSigningKeys: [publicHalf(previous)],
    })
    expect(decodeProtectedHeader(oldToken).kid).toBe(await thumbprintOf(previous))
    await expect(after.app.verifier.verify(oldToken)).resolves.toMatchObject({ phoneNumber: '+385911234567' })

    const newToken = await tokenFrom(after)
    expect(decodeProtectedHeader(newToken).kid).toBe(await thumbprintOf(current))
    await expect(after.app.verifier.verify(newToken)).resolves.toMatchObject({ phoneNumber: '+385911234567' })
    // The kit that still holds only the previous key cannot verify it: it was not signed with that key.
    expect(await refusal(before, newToken)).toBe('TOKEN_INVALID')
  })

  it('refuses a token signed by a key that is neither current nor previous', async () => {
    const unknown = makeKit({
      issuer: ISSUER,
      audience: AUDIENCE,
      signingKey: await generateSigningKey('EdDSA'),
    })
    const kit = makeKit({
      issuer: ISSUER,
      audience: AUDIENCE,
      signingKey: await generateSigningKey('EdDSA'),
      previousSigningKeys: [await generateSigningKey('EdDSA')],
    })
    expect(await refusal(kit, await tokenFrom(unknown))).toBe('TOKEN_INVALID')
  })

  it('reads TWO_FACTOR_PREVIOUS_JWKS as a JSON array or as a single JWK', async () => {
    const current = await generateSigningKey('EdDSA')
    const [one, two] = [await generateSigningKey('EdDSA'), await generateSigningKey('EdDSA')]
    for (const [value, expected] of [
      [JSON.stringify([one, two]), [one, two]],
      [JSON.stringify(one), [one]],
    ] as const) {
      const options = optionsFromVariables(
        { TWO_FACTOR_PRIVATE_JWK: JSON.stringify(current), TWO_FACTOR_PREVIOUS_JWKS: value },
        false,
      )
      const kit = makeKit({ ...options, sms: undefined, lookup: undefined })
      const { keys } = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
      expect(keys.map((key) => key.x)).toEqual([current.x, ...expected.map((key) => key.x)])
    }
  })
})

describe('previous signing keys refused at start-up, naming TWO_FACTOR_PREVIOUS_JWKS', () => {
  it.each([
    ['not JSON', '[{nope'],
    ['neither a JWK nor an array', '42'],
    ['an entry that is not an object', '["key"]'],
    ['an RSA key', JSON.stringify([{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }])],
    ['an Ed25519 key without "x"', JSON.stringify([{ kty: 'OKP', crv: 'Ed25519' }])],
  ])('%s', async (_, value) => {
    const signingKey = await generateSigningKey('EdDSA')
    expect(() => development({ signingKey, previousSigningKeys: value })).toThrow(ConfigurationError)
    expect(() => development({ signingKey, previousSigningKeys: value })).toThrow(/TWO_FACTOR_PREVIOUS_JWKS/)
  })

  it('a previous key of another algorithm than the current one (the verifier pins one algorithm)', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    const previous = await exportJWK(publicKey)
    const signingKey = await generateSigningKey('EdDSA')
    expect(() => development({ signingKey, previousSigningKeys: [previous] })).toThrow(
      /ES256.*EdDSA.*TWO_FACTOR_PREVIOUS_JWKS/,
    )
  })

  it('a previous key with the current key’s kid, or two previous keys with one kid', async () => {
    const current = await generateSigningKey('EdDSA')
    const previous = await generateSigningKey('EdDSA')
    for (const previousSigningKeys of [[publicHalf(current)], [previous, publicHalf(previous)]]) {
      const app = development({ signingKey: current, previousSigningKeys })
      await expect(app.ready).rejects.toThrow(ConfigurationError)
      await expect(app.ready).rejects.toThrow(/duplicate kid.*TWO_FACTOR_PREVIOUS_JWKS/)
    }
  })

  it('a public key that is not a point on its curve', async () => {
    const previous = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) }
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const app = development({ signingKey: await exportJWK(privateKey), previousSigningKeys: [previous] })
    await expect(app.ready).rejects.toThrow(/TWO_FACTOR_PREVIOUS_JWKS/)
  })
})
