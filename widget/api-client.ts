/**
 * The widget's only way to the server: the documented HTTP API, nothing else. Refusals become
 * `ApiError`s carrying the server's stable `code`; the widget switches on it, never on messages.
 */
import type { WidgetErrorCode } from './error-codes.js'

export type { WidgetErrorCode }

export type PinType = 'NUMERIC' | 'ALPHA' | 'HEX' | 'ALPHANUMERIC'

/** The check a person must pass before a code is sent (only POST /pin asks for its token). */
export interface CaptchaConfig {
  provider: 'turnstile'
  siteKey: string
  /** Turnstile's `action`, which the server checks the token was made for. */
  action?: string
  /**
   * `always`: the challenge is shown up front and every send carries a token. `escalated`: sends
   * go without one until the server answers CAPTCHA_REQUIRED (unusual traffic to numbers like the
   * one typed); only then is the challenge loaded and shown. Absent (older servers): `always`.
   */
  mode?: 'always' | 'escalated'
}

export interface WidgetConfig {
  pinLength: number
  pinType: PinType
  /** Seconds. */
  pinTimeToLive: number
  /** Seconds. */
  resendCooldown: number
  /** ISO 3166 alpha-2 codes, or null for every country. */
  allowedCountries: string[] | null
  language: string
  /** Absent or null: sending needs no captcha. */
  captcha?: CaptchaConfig | null
}

export interface PinSession {
  pinId: string
  to: string
  expiresAt: string
  resendAvailableAt: string
  attemptsRemaining: number
}

export interface PinStatus extends PinSession {
  status: 'PENDING' | 'SENT' | 'DELIVERED' | 'FAILED' | 'VERIFIED' | 'EXPIRED' | 'LOCKED'
}

export interface Verification {
  verified: true
  token: string
  expiresAt: string
}

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly code: WidgetErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Seconds to wait, from `Retry-After` or `details.retryAfter`. */
    readonly retryAfter?: number,
  ) {
    super(message)
  }
}

/** A server answer and the server's clock when it gave it (ms), for countdowns immune to a wrong client clock. */
export interface Answer<T> {
  data: T
  serverNow: number
}

export function createApiClient(endpoint: string) {
  const base = endpoint.replace(/\/+$/, '')

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer<T>> {
    let response: Response
    try {
      // Bodies are objects or nothing at all.
      response = await fetch(base + path, {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
      })
    } catch (error) {
      throw new ApiError('NETWORK_ERROR', String(error))
    }
    // The server's clock, for countdowns that a wrong client clock can't shorten. `Date` has a
    // one-second resolution, so a client clock that agrees with it to within that is the finer one.
    const dateHeader = Date.parse(response.headers.get('Date') ?? '')
    const clientNow = Date.now()
    const serverNow =
      Number.isNaN(dateHeader) || Math.abs(clientNow - dateHeader) < 2000 ? clientNow : dateHeader
    const json = (await response.json().catch(() => null)) as { error?: Record<string, unknown> } | null
    if (response.ok && json) return { data: json as T, serverNow }
    const { code, message, ...details } = json?.error ?? {}
    const retryAfter = Number(response.headers.get('Retry-After') ?? details.retryAfter)
    throw new ApiError(
      typeof code === 'string'
        ? (code as WidgetErrorCode)
        : response.status >= 500
          ? 'INTERNAL_ERROR'
          : 'INVALID_REQUEST',
      typeof message === 'string' ? message : `HTTP ${response.status}`,
      details,
      retryAfter > 0 ? retryAfter : undefined,
    )
  }

  return {
    getConfig: () => call<WidgetConfig>('GET', '/config'),
    /**
     * `country` only when the number is national and the widget couldn't make it E.164 itself;
     * `captchaToken` only when the config asks for a captcha.
     */
    sendPin: (phoneNumber: string, language: string, country?: string, captchaToken?: string) =>
      call<PinSession>('POST', '/pin', { phoneNumber, language, country, captchaToken }),
    resendPin: (pinId: string) => call<PinSession>('POST', `/pin/${encodeURIComponent(pinId)}/resend`),
    verifyPin: (pinId: string, pin: string) =>
      call<Verification>('POST', `/pin/${encodeURIComponent(pinId)}/verify`, { pin }),
    getPin: (pinId: string) => call<PinStatus>('GET', `/pin/${encodeURIComponent(pinId)}`),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>

/** Whole seconds from the server's `now` until `iso`, never negative. */
export function secondsUntil(iso: string, serverNow: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - serverNow) / 1000))
}

/** The `phone_number` claim of the kit's token, read (not verified) to tell the page which number passed. */
export function phoneNumberInToken(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? ''
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      phone_number?: unknown
    }
    return typeof claims.phone_number === 'string' ? claims.phone_number : undefined
  } catch {
    return undefined
  }
}
