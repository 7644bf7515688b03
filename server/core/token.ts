/**
 * Tokens: jose-signed JWTs that prove "this browser held this phone a moment ago". Algorithm and
 * `typ` are pinned on both sides; the public half is served as a JWKS.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose'
import { base64url } from './base64url.js'
import { ConfigurationError } from './errors.js'
import { refuseOption } from './option-variables.js'
import type { SigningAlgorithm } from './options.js'

/** The JOSE `typ` of every token the kit signs; verifiers refuse anything else. */
export const TOKEN_TYPE = 'phone-verification+jwt'

/**
 * Signs a JWS signing input: the signature's bytes as JWS writes them (Ed25519's 64 bytes, or
 * P-256's r ‖ s).
 */
export type JwsSign = (signingInput: Uint8Array<ArrayBuffer>) => Uint8Array | Promise<Uint8Array>

/**
 * Makes the `JwsSign` of a private JWK the kit has checked (Ed25519 for EdDSA, P-256 for ES256). A
 * runtime entry passes its own where it is faster than Web Crypto: the Node entry passes
 * node:crypto's synchronous signature (`nodeJwsSigner`).
 */
export type JwsSigner = (privateJwk: JsonWebKey, algorithm: SigningAlgorithm) => JwsSign

const WEB_CRYPTO_ALGORITHMS: Record<SigningAlgorithm, Parameters<SubtleCrypto['sign']>[0]> = {
  EdDSA: 'Ed25519',
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
}

const encoder = new TextEncoder()
const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)))

export interface TokenSigner {
  readonly algorithm: SigningAlgorithm
  readonly keyId: string
  /** `/.well-known/jwks.json`: the current key's public half, then each previous key's. */
  readonly jwks: { keys: JWK[] }
  sign(
    claims: { phoneNumber: string; pinId: string },
    now: number,
  ): Promise<{ token: string; expiresAt: number }>
}

/** The algorithm a JWK's key type and curve are for; undefined for a key the kit can't use. */
function algorithmOfCurve(jwk: JsonWebKey): SigningAlgorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  return undefined
}

function algorithmOf(jwk: JsonWebKey, requested: SigningAlgorithm | undefined): SigningAlgorithm {
  const fromKey = algorithmOfCurve(jwk)
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
  return fieldProblem(jwk, algorithm, KEY_FIELDS[algorithm], 'private')
}

function fieldProblem(
  jwk: JsonWebKey,
  algorithm: SigningAlgorithm,
  fields: readonly string[],
  half: 'private' | 'public',
): string | undefined {
  for (const field of fields) {
    const value = (jwk as unknown as Record<string, unknown>)[field]
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value))
      return `has no usable "${field}": a ${algorithm === 'EdDSA' ? 'Ed25519' : 'P-256'} ${half} JWK has "${fields.join('", "')}", each 32 bytes of base64url (43 characters)`
  }
  return undefined
}

/**
 * What makes a previous key unusable, found without importing it: not a JWK of a curve the kit
 * signs with, not the current key's algorithm (the kit's verifier pins one algorithm, so a token
 * signed by a key of another would be refused anyway), or a public field that is not 32 bytes.
 */
export function previousKeyProblem(jwk: unknown, current: SigningAlgorithm): string | undefined {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
    return 'is not a JWK object such as {"kty":"OKP","crv":"Ed25519","x":"…"}'
  const key = jwk as JsonWebKey
  const algorithm = algorithmOfCurve(key)
  if (!algorithm) return 'is not an Ed25519 (OKP) or P-256 (EC) JWK'
  if (algorithm !== current)
    return `is an ${algorithm} key but the current signing key is ${current}: the kit's verifier accepts one algorithm, so rotate to a key of the same one`
  if (key.alg && key.alg !== algorithm && !(algorithm === 'EdDSA' && key.alg === 'Ed25519'))
    return `says alg ${key.alg}, which does not fit its curve (${algorithm})`
  return fieldProblem(key, algorithm, algorithm === 'EdDSA' ? ['x'] : ['x', 'y'], 'public')
}

/** The public fields of a JWK, which its RFC 7638 thumbprint is computed over. */
function publicHalf(jwk: JsonWebKey): JWK {
  const publicJwk: JWK = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! }
  if (jwk.y) publicJwk.y = jwk.y
  return publicJwk
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
  /** Keys that signed earlier tokens: published and verifiable, never used to sign. @default [] */
  previousKeys?: JsonWebKey[]
  algorithm: SigningAlgorithm | undefined
  issuer: string
  audience: string
  ttlMs: number
  /** @default Web Crypto's signature (`crypto.subtle.sign`) */
  jwsSigner?: JwsSigner | undefined
}): Promise<TokenSigner> {
  const algorithm = algorithmOf(config.signingKey, config.algorithm)
  const publicJwk = publicHalf(config.signingKey)
  const keyId = (config.signingKey as JWK).kid ?? (await calculateJwkThumbprint(publicJwk))
  let sign: JwsSign
  try {
    if (config.jwsSigner) {
      sign = config.jwsSigner(config.signingKey, algorithm)
    } else {
      const privateKey = (await importJWK(
        { ...(config.signingKey as JWK), alg: algorithm },
        algorithm,
      )) as CryptoKey
      sign = async (input) =>
        new Uint8Array(await crypto.subtle.sign(WEB_CRYPTO_ALGORITHMS[algorithm], privateKey, input))
    }
  } catch (error) {
    throw new ConfigurationError(
      `twoFactor(): "signingKey" (TWO_FACTOR_PRIVATE_JWK) could not be imported: ${(error as Error).message}`,
    )
  }
  /** The compact JWS of `claims` under `header` (a JWT: jose's own output for the same input). */
  const signJws = async (header: string, claims: object) => {
    const signingInput = `${header}.${encodeJson(claims)}`
    return `${signingInput}.${base64url(await sign(encoder.encode(signingInput) as Uint8Array<ArrayBuffer>))}`
  }
  // A private half with someone else's public half imports fine and signs tokens no one can verify.
  try {
    const probe = await signJws(encodeJson({ alg: algorithm }), {})
    await jwtVerify(probe, await importJWK(publicJwk, algorithm))
  } catch {
    throw new ConfigurationError(
      'twoFactor(): "signingKey" (TWO_FACTOR_PRIVATE_JWK) signs tokens its own public key ("x"' +
        (publicJwk.y ? ', "y"' : '') +
        ') does not verify: the halves come from different keys. Generate a new key (README)',
    )
  }
  const jwks = { keys: [{ ...publicJwk, kid: keyId, alg: algorithm, use: 'sig' }] }
  for (const [index, previous] of (config.previousKeys ?? []).entries()) {
    const previousJwk = publicHalf(previous)
    // The same rule as the current key's, so a token it signed names the kid it is published under.
    const kid = (previous as JWK).kid ?? (await calculateJwkThumbprint(previousJwk))
    // jose picks the key by the token's kid: two keys under one kid would make a token ambiguous.
    if (jwks.keys.some((key) => key.kid === kid))
      refuseOption(
        'previousSigningKeys',
        `entry ${index + 1} has a duplicate kid ${JSON.stringify(kid)} (the current key's or an earlier entry's): list each key once, and not the current one`,
      )
    try {
      await importJWK(previousJwk, algorithm)
    } catch (error) {
      refuseOption(
        'previousSigningKeys',
        `entry ${index + 1} could not be imported: ${(error as Error).message}`,
      )
    }
    jwks.keys.push({ ...previousJwk, kid, alg: algorithm, use: 'sig' })
  }

  // Every token's header is the same: encoded once.
  const header = encodeJson({ alg: algorithm, typ: TOKEN_TYPE, kid: keyId })
  return {
    algorithm,
    keyId,
    jwks,
    async sign({ phoneNumber, pinId }, now) {
      const issuedAt = Math.floor(now / 1000)
      const expiresAtSeconds = issuedAt + Math.max(1, Math.floor(config.ttlMs / 1000))
      // Built here rather than with jose's SignJWT, which cost as much as the signature itself;
      // the claims are in the order SignJWT wrote them.
      const token = await signJws(header, {
        phone_number: phoneNumber,
        phone_number_verified: true,
        amr: ['sms'],
        // The PIN record that was verified: lets a host correlate a token with the kit's logs.
        pin_id: pinId,
        iss: config.issuer,
        aud: config.audience,
        sub: phoneNumber,
        iat: issuedAt,
        exp: expiresAtSeconds,
        jti: crypto.randomUUID(),
      })
      return { token, expiresAt: expiresAtSeconds * 1000 }
    },
  }
}
