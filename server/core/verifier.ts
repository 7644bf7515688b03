/**
 * Checking the kit's tokens: `createVerifier()` runs wherever jose runs (the host's own routes, a
 * queue worker, another service holding the JWKS URL). The algorithm, `typ`, issuer and audience are
 * pinned (hono's own JWT middleware learned from two algorithm-confusion advisories to make `alg`
 * required), and so is the longest life a token may claim. With a store, each token is accepted
 * once. The Hono middleware is `http/require-verified-phone.ts`.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
// The one class, not jose's `errors` namespace: that object holds every error class (the JWE ones
// too), and a bundle that uses it carries them all.
import { JWTExpired } from 'jose/errors'
import type { RateLimitHit, TwoFactorStore } from '../stores/types.js'
import { parseDuration } from './duration.js'
import { StoreError, TwoFactorError } from './errors.js'
import type { SigningAlgorithm } from './options.js'
import { TOKEN_TYPE } from './token.js'

/** The kit refuses a `tokenTimeToLive` above 1 h, so no token it issues claims a longer life. */
const LONGEST_TOKEN_LIFE_SECONDS = 3600

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
  /**
   * The longest life a token may claim (`exp - iat`), in seconds or as a duration (`'5m'`): set it
   * to the issuing kit's `tokenTimeToLive`. A token that claims more, has no `iat` or was issued in
   * the future is refused with TOKEN_INVALID, so a key that once signed long-lived tokens (or a
   * test that signs its own) can't mint a proof that outlives the kit's rules. At most 1 h.
   * @default 3600 (1 h, the longest `tokenTimeToLive` the kit accepts); `app.verifier`: the kit's own `tokenTimeToLive`
   */
  maxTokenAge?: number | string
  /**
   * Where used tokens are remembered: the kit's store (or any `TwoFactorStore`) shared by every
   * instance that checks tokens. With it, `verify()` accepts each token once and refuses it again
   * with TOKEN_ALREADY_USED until it expires. **Without it, a token can be replayed until it
   * expires**: fine for a check that is not the final use, not for the step that acts on the proof.
   * @default none (`app.verifier` uses the kit's store)
   */
  store?: Pick<TwoFactorStore, 'hit'>
  /** The clock, in Unix ms; tests pass a fake one. @default Date.now */
  clock?: () => number
}

export interface VerifyOptions {
  /**
   * Use the token up (needs the verifier's `store`). Pass `false` for a check that is not the
   * final use, e.g. showing a confirmation page before the form that acts on the proof.
   * @default true when the verifier has a `store`, false otherwise
   */
  consume?: boolean
}

export interface VerifiedPhone {
  /** E.164 with `+`. */
  phoneNumber: string
  claims: JWTPayload & { phone_number: string; phone_number_verified: true; amr: string[] }
}

export interface TokenVerifier {
  /**
   * Resolves with the verified phone, or rejects with TwoFactorError TOKEN_INVALID, TOKEN_EXPIRED,
   * TOKEN_ALREADY_USED (a consuming verifier saw it before) or STORE_UNAVAILABLE (it could not tell).
   */
  verify(token: string, options?: VerifyOptions): Promise<VerifiedPhone>
}

function maxTokenAgeSeconds(value: number | string | undefined): number {
  if (value === undefined) return LONGEST_TOKEN_LIFE_SECONDS
  const seconds = typeof value === 'number' ? value : (parseDuration(value) ?? NaN) / 1000
  if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= LONGEST_TOKEN_LIFE_SECONDS)) {
    throw new TypeError(
      `createVerifier: "maxTokenAge" must be whole seconds from 1 to 3600 or a duration from "1s" to "1h" (the issuing kit's tokenTimeToLive), not ${JSON.stringify(value)}`,
    )
  }
  return seconds
}

export function createVerifier(options: VerifierOptions): TokenVerifier {
  return verifierOver(options, ({ jwks, jwksUrl }) =>
    jwks ? createLocalJWKSet(jwks) : createRemoteJWKSet(new URL(jwksUrl!)),
  )
}

/**
 * `createVerifier` over keys in hand (the kit's own `app.verifier`): it never fetches a key set, so
 * jose's remote key set stays out of a bundle (a Worker's) that checks only the kit's own tokens.
 */
export function createLocalVerifier(options: VerifierOptions & { jwks: JSONWebKeySet }): TokenVerifier {
  return verifierOver(options, ({ jwks }) => createLocalJWKSet(jwks!))
}

function verifierOver(
  options: VerifierOptions,
  keySet: (options: VerifierOptions) => JWTVerifyGetKey,
): TokenVerifier {
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
  const keys = keySet(options)
  const maxTokenAge = maxTokenAgeSeconds(options.maxTokenAge)
  const clockTolerance = options.clockTolerance ?? 5
  const { store } = options
  if (store && typeof store.hit !== 'function')
    throw new TypeError('createVerifier: "store" must be a TwoFactorStore (the kit\'s store)')
  const clock = options.clock ?? Date.now

  const alreadyUsed = () =>
    new TwoFactorError(
      'TOKEN_ALREADY_USED',
      'This phone verification has already been used; verify the number again.',
    )

  /**
   * The single-use gate: the store's atomic `hit` allows one use of a `jti`, so of N concurrent
   * uses exactly one wins. The window outlives the token (`exp` plus the clock tolerance), so a
   * used token is refused until the signature check would refuse it anyway.
   */
  async function consume(jti: string, exp: number, now: number): Promise<void> {
    if (!(await hitUse(jti, exp, now, 1)).allowed) throw alreadyUsed()
  }

  /** `consume: false` still tells a used token apart: a cost-0 hit reads the count without counting. */
  async function refuseIfUsed(jti: string, exp: number, now: number): Promise<void> {
    if ((await hitUse(jti, exp, now, 0)).count > 0) throw alreadyUsed()
  }

  async function hitUse(jti: string, exp: number, now: number, cost: 0 | 1): Promise<RateLimitHit> {
    const windowMs = (exp + clockTolerance + 1) * 1000 - now
    try {
      return await store!.hit(`jti:${jti}`, 1, windowMs, now, cost)
    } catch (error) {
      if (!(error instanceof StoreError)) throw error
      // Fail closed: a token whose use can't be recorded is not accepted.
      throw new TwoFactorError(
        'STORE_UNAVAILABLE',
        'The phone verification could not be checked right now; try again.',
        {},
        { cause: error },
      )
    }
  }

  return {
    async verify(token, verifyOptions) {
      const consuming = verifyOptions?.consume ?? Boolean(store)
      if (consuming && !store) {
        throw new TypeError(
          'verify(token, { consume: true }) needs a verifier created with a "store" (createVerifier({ store }))',
        )
      }
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw new TwoFactorError('TOKEN_INVALID', 'The phone verification token is missing or malformed.')
      }
      const now = clock()
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, keys, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          typ: TOKEN_TYPE,
          clockTolerance,
          currentDate: new Date(now),
          // Also refuses an `iat` in the future, which would stretch the life `exp - iat` allows.
          maxTokenAge,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'phone_number'],
        }))
        if (payload.exp! - payload.iat! > maxTokenAge) {
          throw new TwoFactorError(
            'TOKEN_INVALID',
            'The token claims a longer life than this verifier accepts.',
          )
        }
        if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 128) {
          throw new TwoFactorError('TOKEN_INVALID', 'The phone verification token is not valid.')
        }
        if (payload.phone_number_verified !== true || payload.phone_number !== payload.sub) {
          throw new TwoFactorError('TOKEN_INVALID', 'The token does not prove a verified phone number.')
        }
      } catch (error) {
        if (error instanceof TwoFactorError) throw error
        if (error instanceof JWTExpired) {
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
      if (consuming) await consume(payload.jti!, payload.exp!, now)
      else if (store) await refuseIfUsed(payload.jti!, payload.exp!, now)
      return { phoneNumber: payload.phone_number as string, claims: payload as VerifiedPhone['claims'] }
    },
  }
}
