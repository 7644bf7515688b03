/**
 * Checking the kit's tokens: `createVerifier()` runs wherever jose runs (the host's own routes, a
 * queue worker, another service holding the JWKS URL). The algorithm, `typ`, issuer and audience are
 * pinned (hono's own JWT middleware learned from two algorithm-confusion advisories to make `alg`
 * required). The Hono middleware is `http/require-verified-phone.ts`.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose'
import { TwoFactorError } from './errors.js'
import type { SigningAlgorithm } from './options.js'
import { TOKEN_TYPE } from './token.js'

export interface VerifierOptions {
  /** Must equal the kit's `issuer`. */
  issuer: string
  /** Must equal the kit's `audience`. */
  audience: string
  /** The public keys: a JWKS object (e.g. the kit's `signer.jwks`) ... */
  jwks?: JSONWebKeySet
  /** ... or the URL of the kit's `/.well-known/jwks.json` (fetched and cached by jose). */
  jwksUrl?: string | URL
  /** Algorithms accepted; never `none`, never HMAC. @default ['EdDSA'] */
  algorithms?: SigningAlgorithm[]
  /** Seconds of clock skew tolerated on `exp`/`iat`. @default 5 */
  clockTolerance?: number
}

export interface VerifiedPhone {
  /** E.164 with `+`. */
  phoneNumber: string
  claims: JWTPayload & { phone_number: string; phone_number_verified: true; amr: string[] }
}

export interface TokenVerifier {
  /** Resolves with the verified phone, or rejects with TwoFactorError TOKEN_INVALID / TOKEN_EXPIRED. */
  verify(token: string): Promise<VerifiedPhone>
}

export function createVerifier(options: VerifierOptions): TokenVerifier {
  if (!options?.issuer) throw new TypeError('createVerifier: "issuer" is required')
  if (!options.audience) throw new TypeError('createVerifier: "audience" is required')
  if (!options.jwks === !options.jwksUrl)
    throw new TypeError('createVerifier: pass exactly one of "jwks" or "jwksUrl"')
  const algorithms = options.algorithms ?? ['EdDSA']
  for (const algorithm of algorithms) {
    if (algorithm !== 'EdDSA' && algorithm !== 'ES256') {
      throw new TypeError(
        `createVerifier: algorithm ${JSON.stringify(algorithm)} is not allowed; use EdDSA or ES256`,
      )
    }
  }
  const keys = options.jwks ? createLocalJWKSet(options.jwks) : createRemoteJWKSet(new URL(options.jwksUrl!))

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw new TwoFactorError('TOKEN_INVALID', 'The phone verification token is missing or malformed.')
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          typ: TOKEN_TYPE,
          clockTolerance: options.clockTolerance ?? 5,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'phone_number'],
        })
        if (payload.phone_number_verified !== true || payload.phone_number !== payload.sub) {
          throw new TwoFactorError('TOKEN_INVALID', 'The token does not prove a verified phone number.')
        }
        return { phoneNumber: payload.phone_number as string, claims: payload as VerifiedPhone['claims'] }
      } catch (error) {
        if (error instanceof TwoFactorError) throw error
        if (error instanceof joseErrors.JWTExpired) {
          throw new TwoFactorError(
            'TOKEN_EXPIRED',
            'The phone verification has expired; verify the number again.',
            {},
            { cause: error },
          )
        }
        throw new TwoFactorError(
          'TOKEN_INVALID',
          'The phone verification token is not valid.',
          {},
          { cause: error },
        )
      }
    },
  }
}
