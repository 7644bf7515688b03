/**
 * Tokens: jose-signed JWTs that prove "this browser held this phone a moment ago". Algorithm and
 * `typ` are pinned on both sides; the public half is served as a JWKS.
 */
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose'
import { ConfigurationError } from './errors.js'
import type { SigningAlgorithm } from './options.js'

/** The JOSE `typ` of every token the kit signs; verifiers refuse anything else. */
export const TOKEN_TYPE = 'phone-verification+jwt'

export interface TokenSigner {
  readonly algorithm: SigningAlgorithm
  readonly keyId: string
  /** `{ keys: [publicJwk] }` for `/.well-known/jwks.json`. */
  readonly jwks: { keys: JWK[] }
  sign(
    claims: { phoneNumber: string; pinId: string },
    now: number,
  ): Promise<{ token: string; expiresAt: number }>
}

function algorithmOf(jwk: JsonWebKey, requested: SigningAlgorithm | undefined): SigningAlgorithm {
  const fromKey =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
      ? 'EdDSA'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : undefined
  if (!fromKey)
    throw new ConfigurationError(
      'twoFactor(): "signingKey" must be an Ed25519 (OKP) or P-256 (EC) private JWK',
    )
  if (requested && requested !== fromKey) {
    throw new ConfigurationError(
      `twoFactor(): "algorithm" is ${requested} but the signing key is for ${fromKey}`,
    )
  }
  if (jwk.alg && jwk.alg !== fromKey && !(fromKey === 'EdDSA' && jwk.alg === 'Ed25519')) {
    throw new ConfigurationError(
      `twoFactor(): the signing key says alg ${jwk.alg}, which does not fit its curve (${fromKey})`,
    )
  }
  return fromKey
}

const KEY_FIELDS: Record<SigningAlgorithm, readonly string[]> = { EdDSA: ['d', 'x'], ES256: ['d', 'x', 'y'] }

/**
 * What makes a private JWK unusable, found without importing it (start-up is synchronous): the
 * wrong key type or curve, or a field that is not 32 bytes of base64url. Undefined when it looks usable;
 * that its halves belong together is checked when it is imported (`ready`).
 */
export function signingKeyProblem(
  jwk: JsonWebKey,
  requested: SigningAlgorithm | undefined,
): string | undefined {
  let algorithm: SigningAlgorithm
  try {
    algorithm = algorithmOf(jwk, requested)
  } catch (error) {
    return (error as Error).message.replace(/^twoFactor\(\): /, '')
  }
  for (const field of KEY_FIELDS[algorithm]) {
    const value = (jwk as unknown as Record<string, unknown>)[field]
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value))
      return `has no usable "${field}": a ${algorithm === 'EdDSA' ? 'Ed25519' : 'P-256'} private JWK has "${KEY_FIELDS[algorithm].join('", "')}", each 32 bytes of base64url (43 characters)`
  }
  return undefined
}

/** A fresh key pair for development; returns the private JWK so callers could persist it. */
export async function generateSigningKey(algorithm: SigningAlgorithm = 'EdDSA'): Promise<JsonWebKey> {
  const { privateKey } = await generateKeyPair(
    algorithm,
    algorithm === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true },
  )
  return { ...(await exportJWK(privateKey)), alg: algorithm } as JsonWebKey
}

export async function createTokenSigner(config: {
  signingKey: JsonWebKey
  algorithm: SigningAlgorithm | undefined
  issuer: string
  audience: string
  ttlMs: number
}): Promise<TokenSigner> {
  const algorithm = algorithmOf(config.signingKey, config.algorithm)
  const { d: _private, ...publicFields } = config.signingKey as JWK
  const publicJwk: JWK = { kty: publicFields.kty!, crv: publicFields.crv!, x: publicFields.x! }
  if (publicFields.y) publicJwk.y = publicFields.y
  const keyId = (config.signingKey as JWK).kid ?? (await calculateJwkThumbprint(publicJwk))
  let privateKey: CryptoKey
  try {
    privateKey = (await importJWK({ ...(config.signingKey as JWK), alg: algorithm }, algorithm)) as CryptoKey
  } catch (error) {
    throw new ConfigurationError(
      `twoFactor(): "signingKey" (TWO_FACTOR_PRIVATE_JWK) could not be imported: ${(error as Error).message}`,
    )
  }
  // A private half with someone else's public half imports fine and signs tokens no one can verify.
  try {
    const probe = await new SignJWT({}).setProtectedHeader({ alg: algorithm }).sign(privateKey)
    await jwtVerify(probe, await importJWK(publicJwk, algorithm))
  } catch {
    throw new ConfigurationError(
      'twoFactor(): "signingKey" (TWO_FACTOR_PRIVATE_JWK) signs tokens its own public key ("x"' +
        (publicJwk.y ? ', "y"' : '') +
        ') does not verify: the halves come from different keys. Generate a new key (README)',
    )
  }
  const jwks = { keys: [{ ...publicJwk, kid: keyId, alg: algorithm, use: 'sig' }] }

  return {
    algorithm,
    keyId,
    jwks,
    async sign({ phoneNumber, pinId }, now) {
      const issuedAt = Math.floor(now / 1000)
      const expiresAtSeconds = issuedAt + Math.max(1, Math.floor(config.ttlMs / 1000))
      const token = await new SignJWT({
        phone_number: phoneNumber,
        phone_number_verified: true,
        amr: ['sms'],
        // The PIN record that was verified: lets a host correlate a token with the kit's logs.
        pin_id: pinId,
      })
        .setProtectedHeader({ alg: algorithm, typ: TOKEN_TYPE, kid: keyId })
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setSubject(phoneNumber)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAtSeconds)
        .setJti(crypto.randomUUID())
        .sign(privateKey)
      return { token, expiresAt: expiresAtSeconds * 1000 }
    },
  }
}
