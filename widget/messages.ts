/** What the widget says for a refusal: the server's stable code (and details) to the page's language. */
import type { ApiError } from './api-client.js'
import type { Strings } from './i18n.js'

/** A message that is worded when shown, so it follows a change of language. */
export type Message = (t: Strings) => string

export function lengthMessage(problem: string): Message {
  return (t) => (problem === 'TOO_SHORT' ? t.tooShort : problem === 'TOO_LONG' ? t.tooLong : t.invalidNumber)
}

const messageKeys = {
  COUNTRY_NOT_ALLOWED: 'countryNotAllowed',
  NUMBER_TYPE_NOT_ALLOWED: 'numberTypeNotAllowed',
  NUMBER_NOT_REACHABLE: 'notReachable',
  SMS_NOT_SENT: 'smsNotSent',
  NETWORK_ERROR: 'network',
  CAPTCHA_INCOMPLETE: 'captchaRequired',
  CAPTCHA_REQUIRED: 'captchaFailed',
  CAPTCHA_FAILED: 'captchaFailed',
  // CAPTCHA_UNAVAILABLE, like STORE_UNAVAILABLE: `unavailable`.
} as const satisfies Partial<Record<ApiError['code'], keyof Strings>>

/** Refusals either step can meet; step-specific codes (wrong PIN, expired…) are handled by the step. */
export function errorMessage(error: ApiError): Message {
  if (error.code === 'PHONE_NUMBER_INVALID') return lengthMessage(String(error.details.reason))
  const key = messageKeys[error.code as keyof typeof messageKeys] ?? 'unavailable'
  return (t) => t[key]
}
