/** What the widget says for a refusal: the server's stable code (and details) to the page's language. */
import type { ApiError } from './api-client.js'
import { fill, formatWait, type Strings } from './i18n.js'

/** A message that is worded when shown, so it follows a change of language. */
export type Message = (t: Strings) => string

export function lengthMessage(problem: string): Message {
  return (t) => (problem === 'TOO_SHORT' ? t.tooShort : problem === 'TOO_LONG' ? t.tooLong : t.invalidNumber)
}

const messageKeys = {
  NUMBER_TYPE_NOT_ALLOWED: 'numberTypeNotAllowed',
  NUMBER_NOT_REACHABLE: 'notReachable',
  SMS_NOT_SENT: 'smsNotSent',
  NETWORK_ERROR: 'network',
  CAPTCHA_INCOMPLETE: 'captchaRequired',
  CAPTCHA_REQUIRED: 'captchaFailed',
  CAPTCHA_FAILED: 'captchaFailed',
  // CAPTCHA_UNAVAILABLE, like STORE_UNAVAILABLE: `unavailable`.
} as const satisfies Partial<Record<ApiError['code'], keyof Strings>>

/**
 * SEND_BLOCKED's `reason`s, each said in the person's terms (never "budget" or "conversion") by the
 * string named after it: COUNTRY_NOT_ALLOWED by `countryNotAllowed`, and so on (a lookup by rule,
 * not a table: the reasons' names would be bytes of first paint). A reason added to the server
 * later gets `sendBlocked`.
 */
const blockKeys = [
  'countryNotAllowed',
  'highRiskDestination',
  'rangeVelocity',
  'lowConversion',
  'spendCeiling',
] as const satisfies readonly (keyof Strings)[]

function blockKey(
  reason: unknown,
  retryAfter: number,
): (typeof blockKeys)[number] | 'rangeVelocityLater' | 'sendBlocked' {
  const key = blockKeys.find((key) => key.replace(/[A-Z]/g, '_$&').toUpperCase() === reason)
  // The wait is the person's next step; without one, "later".
  return key === 'rangeVelocity' && !retryAfter ? 'rangeVelocityLater' : (key ?? 'sendBlocked')
}

/**
 * Refusals either step can meet; step-specific codes (wrong PIN, expired…) are handled by the step.
 * The host's language is read when the message is shown, for the wait it may word.
 */
export function errorMessage(error: ApiError, host: { readonly language: string }): Message {
  const { code, retryAfter = 0 } = error
  const reason = error.details.reason
  if (code === 'PHONE_NUMBER_INVALID') return lengthMessage(String(reason))
  const key =
    code === 'SEND_BLOCKED'
      ? blockKey(reason, retryAfter)
      : code === 'CAPTCHA_REQUIRED' && reason === 'LOW_CONVERSION'
        ? 'captchaEscalated' // sent without a token in 'escalated' mode; the challenge shows now
        : (messageKeys[code as keyof typeof messageKeys] ?? 'unavailable')
  return (t) => fill(t[key], { time: formatWait(host.language, retryAfter) })
}

/**
 * A rate limit's wait: why and when, in words. The server's `limit` says which; a send limit is
 * explained by the string named after it (none for `resendCooldown`, the usual wait between codes).
 */
export function waitMessage(
  t: Strings,
  language: string,
  seconds: number,
  limit: unknown,
  long?: boolean,
): string {
  const time = formatWait(language, seconds, long)
  if (!limit || limit === 'verifyPin') return fill(t.rateLimited, { time })
  const why = (t as Record<string, unknown>)[String(limit)]
  return (typeof why == 'string' ? `${why} ` : '') + fill(t.resendIn, { time })
}
