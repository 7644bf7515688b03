/**
 * `requireVerifiedPhone()`: a Hono middleware for the host's own routes that lets a request through
 * only with a valid phone-verification token.
 */
import type { MiddlewareHandler } from 'hono'
import { TwoFactorError } from '../core/errors.js'
import type { TokenVerifier, VerifiedPhone } from '../core/verifier.js'
import { refusalResponse } from './responses.js'

export type VerifiedPhoneVariables = { verifiedPhone: VerifiedPhone }

/**
 * A Hono middleware that lets a request through only with a valid token, and puts the result in
 * `c.get('verifiedPhone')`. The token is read from `Authorization: Bearer …` unless `getToken` says
 * otherwise (e.g. a form field). Refusals are 401 with the kit's error envelope (503
 * STORE_UNAVAILABLE when a consuming verifier's store can't be reached).
 *
 * A verifier with a store (`app.verifier`, `createVerifier({ store })`) uses the token up: the
 * route is passed once per token, and a replay is refused with TOKEN_ALREADY_USED.
 */
export function requireVerifiedPhone(options: {
  verifier: TokenVerifier
  getToken?: (c: Parameters<MiddlewareHandler>[0]) => string | undefined | Promise<string | undefined>
  /**
   * Whether passing this route uses the token up; `false` for a route that only looks before the
   * final use. Passed to `verifier.verify(token, { consume })`.
   * @default the verifier's own default (true when it has a store)
   */
  consume?: boolean
}): MiddlewareHandler<{ Variables: VerifiedPhoneVariables }> {
  if (!options?.verifier)
    throw new TypeError('requireVerifiedPhone: "verifier" is required (createVerifier({ … }))')
  const getToken =
    options.getToken ?? ((c) => /^Bearer (\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1])
  const verifyOptions = options.consume === undefined ? undefined : { consume: options.consume }
  return async function requireVerifiedPhoneMiddleware(c, next) {
    const token = await getToken(c)
    let refusal: TwoFactorError
    if (!token) {
      refusal = new TwoFactorError('TOKEN_MISSING', 'A phone verification token is required.')
    } else {
      try {
        c.set('verifiedPhone', await options.verifier.verify(token, verifyOptions))
        return next()
      } catch (error) {
        if (!(error instanceof TwoFactorError)) throw error
        refusal = error
      }
    }
    if (refusal.status === 401)
      c.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${refusal.code}"`)
    return refusalResponse(c, refusal)
  }
}
