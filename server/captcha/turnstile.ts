/**
 * Cloudflare Turnstile: `POST /turnstile/v0/siteverify` with the secret key and the widget's token
 * (JSON body), answered by `{ success, "error-codes", hostname, action, challenge_ts }`. A token is
 * valid for 300 s and once only; a reused one comes back `timeout-or-duplicate`.
 *
 * Refusals about the token are verdicts (CAPTCHA_FAILED); a bad secret, Turnstile's own
 * `internal-error`, an HTTP error or an unreadable answer mean no verdict could be had, and throw —
 * the flow then fails closed with CAPTCHA_UNAVAILABLE.
 */
import { ConfigurationError } from '../core/errors.js'
import type { CaptchaVerdict, CaptchaVerifier } from '../core/captcha.js'
import {
  defaultFetch,
  isRecord,
  parseJson,
  requestProvider,
  requireBaseUrl,
  requireString,
  type FetchFunction,
} from '../providers/http.js'

export interface TurnstileOptions {
  /** The widget's site key (public: the browser renders the challenge with it). */
  siteKey: string
  /** The widget's secret key (server only). */
  secretKey: string
  /**
   * The action the widget renders the challenge with; a token solved for another action is refused.
   * @default 'two-factor-send'
   */
  action?: string
  /** @default 'https://challenges.cloudflare.com' (tests point it at a local fake) */
  baseUrl?: string
  /** @default globalThis.fetch */
  fetch?: FetchFunction
}

// Reasons that say our side is misconfigured or Turnstile is failing, not that the visitor is a bot.
const NO_VERDICT_REASONS = new Set(['missing-input-secret', 'invalid-input-secret', 'internal-error'])

export function turnstileCaptcha(options: TurnstileOptions): CaptchaVerifier {
  const factory = 'turnstileCaptcha'
  const siteKey = requireString(factory, 'siteKey', options.siteKey, 'the site key of your Turnstile widget')
  const secretKey = requireString(
    factory,
    'secretKey',
    options.secretKey,
    'its secret key (TURNSTILE_SECRET_KEY)',
  )
  const action = options.action ?? 'two-factor-send'
  // Turnstile allows up to 32 characters of [A-Za-z0-9_-] for an action.
  if (!/^[\w-]{1,32}$/.test(action)) {
    throw new ConfigurationError(
      `${factory}: "action" must be 1–32 letters, digits, "_" or "-", got ${JSON.stringify(action)}`,
    )
  }
  const baseUrl = requireBaseUrl(
    factory,
    'baseUrl',
    options.baseUrl ?? 'https://challenges.cloudflare.com',
    'the Turnstile host',
  )
  const fetchImpl = options.fetch ?? defaultFetch()

  return {
    name: 'turnstile',
    widget: { provider: 'turnstile', siteKey, action },
    async verify(token, { remoteIp, signal }): Promise<CaptchaVerdict> {
      const response = await requestProvider('turnstile', fetchImpl, `${baseUrl}/turnstile/v0/siteverify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          secret: secretKey,
          response: token,
          ...(remoteIp ? { remoteip: remoteIp } : {}),
        }),
        signal,
      })
      if (response.status !== 200) throw new Error(`turnstile siteverify answered HTTP ${response.status}`)
      const body = parseJson('turnstile', response)
      if (!isRecord(body) || typeof body.success !== 'boolean') {
        throw new Error('turnstile siteverify answered without a "success" field')
      }
      const codes = body['error-codes']
      const reasons = Array.isArray(codes)
        ? codes.filter((code): code is string => typeof code === 'string')
        : []
      const noVerdict = reasons.find((reason) => NO_VERDICT_REASONS.has(reason))
      if (!body.success && noVerdict)
        throw new Error(`turnstile siteverify could not judge the token: ${noVerdict}`)
      return {
        success: body.success,
        reasons,
        ...(typeof body.hostname === 'string' ? { hostname: body.hostname } : {}),
        ...(typeof body.action === 'string' ? { action: body.action } : {}),
      }
    },
  }
}
