/**
 * One error vocabulary for the whole kit. Every refusal the HTTP API can give has a stable `code`;
 * clients (the widget among them) `switch (error.code)` and never parse messages.
 */
export const errorStatus = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  PHONE_NUMBER_INVALID: 400,
  NUMBER_TYPE_NOT_ALLOWED: 422,
  NUMBER_NOT_REACHABLE: 422,
  PIN_FORMAT_INVALID: 400,
  WRONG_PIN: 422,
  // Unknown, expired, used and locked PINs get one and the same answer (like Twilio's 404 for
  // finished verifications): nobody learns from it which of the four a pinId is. The widget that
  // holds the pinId knows on its own (it saw the expiry time and the attempts left).
  PIN_NOT_FOUND: 404,
  // Refused by an anti-fraud or cost policy before anything was paid; the body says which (`reason`)
  // and for what (`scope`: `country:HR`, `range:385911234`, `network:21901`, `application`).
  SEND_BLOCKED: 403,
  CAPTCHA_REQUIRED: 400,
  CAPTCHA_FAILED: 403,
  CAPTCHA_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  SMS_NOT_SENT: 502,
  LOOKUP_FAILED: 503,
  STORE_UNAVAILABLE: 503,
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_ALREADY_USED: 401,
  INVALID_DELIVERY_REPORT: 400,
  DELIVERY_REPORT_UNAUTHORIZED: 401,
  // The admin API's token is missing or wrong.
  ADMIN_UNAUTHORIZED: 401,
  // The host's configuration is incomplete (a Worker's secrets not set yet): `workerFetch` answers
  // every request with it, naming what to set, until the deployment is fixed.
  NOT_CONFIGURED: 503,
  INTERNAL_ERROR: 500,
} as const

export type TwoFactorErrorCode = keyof typeof errorStatus

export type ErrorDetails = Record<string, unknown>

/** The kit's one error type. `details` are public: they go into the response body as they are. */
export class TwoFactorError extends Error {
  override readonly name = 'TwoFactorError'
  readonly status: number
  constructor(
    readonly code: TwoFactorErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.status = errorStatus[code]
  }

  toJSON(): { error: { code: TwoFactorErrorCode; message: string } & ErrorDetails } {
    return { error: { code: this.code, message: this.message, ...this.details } }
  }

  /**
   * The refusal as HTTP, the one error → HTTP mapping: the code's status, the JSON envelope, never
   * cached, and `Retry-After` whenever the refusal says when to come back. The kit's routes answer
   * through it (http/responses.ts), and so does `getResponse()`.
   */
  httpAnswer(): { status: number; headers: Record<string, string>; body: string } {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    }
    if (typeof this.details.retryAfter === 'number') headers['Retry-After'] = String(this.details.retryAfter)
    return { status: this.status, headers, body: JSON.stringify(this.toJSON()) }
  }

  /**
   * Hono's default error handler answers `getResponse()` of any error that has one: a
   * TwoFactorError thrown in a host's own route (`await kit.verifier.verify(token)` in a form
   * post) answers its 401 envelope, not a 500, without the host writing an `onError`.
   */
  getResponse(): Response {
    const { status, headers, body } = this.httpAnswer()
    return new Response(body, { status, headers })
  }
}

/**
 * Thrown by a store when its backend can't be reached or fails. The flow turns it into
 * STORE_UNAVAILABLE (503) and never issues a token past it: fail closed.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError'
}

/** A start-up configuration mistake: thrown by `twoFactor()` before it serves anything. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError'
}
