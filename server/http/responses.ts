/**
 * The one way a refusal becomes an HTTP answer: `{ error: { code, message, …details } }` with the
 * code's status, and `Retry-After` whenever the refusal says when to come back — as
 * `TwoFactorError#httpAnswer()` writes it, the same rule its `getResponse()` follows for errors that
 * reach Hono's default error handler. The API, the delivery-report routes and
 * `requireVerifiedPhone` all answer through here.
 */
import type { Context, ErrorHandler } from 'hono'
import type { StatusCode } from 'hono/utils/http-status'
import { StoreError, TwoFactorError } from '../core/errors.js'
import type { Logger } from '../core/options.js'

/** Seconds a client should wait before trying again after the store failed. */
const STORE_RETRY_AFTER_SECONDS = 5

export function refusalResponse(c: Context, refusal: TwoFactorError): Response {
  const { status, headers, body } = refusal.httpAnswer()
  return c.newResponse(body, status as StatusCode, headers)
}

/**
 * Whatever a route threw, answered: a TwoFactorError as it is; a store failure as 503
 * STORE_UNAVAILABLE (logged; nothing past it was decided, so nothing was issued); anything else as
 * 500 INTERNAL_ERROR (logged with the error object), never with its message or stack.
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    let refusal: TwoFactorError
    if (error instanceof TwoFactorError) {
      refusal = error
    } else if (error instanceof StoreError) {
      logger.error({ err: error }, 'store unavailable')
      refusal = new TwoFactorError(
        'STORE_UNAVAILABLE',
        'The service is temporarily unavailable. Please try again shortly.',
      )
      c.header('Retry-After', String(STORE_RETRY_AFTER_SECONDS))
    } else {
      logger.error({ err: error }, 'unexpected error')
      refusal = new TwoFactorError('INTERNAL_ERROR', 'Something went wrong on our side.')
    }
    return refusalResponse(c, refusal)
  }
}
