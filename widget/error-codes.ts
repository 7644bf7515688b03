/**
 * The refusal codes the widget knows. `serverErrorCodes` is every code the kit's server answers
 * with; test/contract/error-codes.test.ts fails when it and the server's list differ. Nothing in
 * the widget reads these arrays at run time (it switches on single codes), so bundles leave them out.
 */
export const serverErrorCodes = [
  'INVALID_REQUEST',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'PHONE_NUMBER_INVALID',
  'NUMBER_TYPE_NOT_ALLOWED',
  'NUMBER_NOT_REACHABLE',
  'PIN_FORMAT_INVALID',
  'WRONG_PIN',
  'PIN_NOT_FOUND',
  'SEND_BLOCKED',
  'CAPTCHA_REQUIRED',
  'CAPTCHA_FAILED',
  'CAPTCHA_UNAVAILABLE',
  'RATE_LIMITED',
  'SMS_NOT_SENT',
  'LOOKUP_FAILED',
  'STORE_UNAVAILABLE',
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_ALREADY_USED',
  'INVALID_DELIVERY_REPORT',
  'DELIVERY_REPORT_UNAUTHORIZED',
  'ADMIN_UNAUTHORIZED',
  'NOT_CONFIGURED',
  'INTERNAL_ERROR',
] as const

/**
 * The widget's own: NETWORK_ERROR for a failed fetch, CAPTCHA_INCOMPLETE for a send held back until
 * the security check is passed (never reported).
 */
export const widgetErrorCodes = ['NETWORK_ERROR', 'CAPTCHA_INCOMPLETE'] as const

export type WidgetErrorCode = (typeof serverErrorCodes)[number] | (typeof widgetErrorCodes)[number]
