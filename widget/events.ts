/**
 * The element's events: kebab-case names (React 19 and Vue bind them as written), typed classes,
 * `bubbles` and `composed` so a listener on any ancestor — across shadow roots — hears them.
 */
import type { WidgetErrorCode } from './api-client.js'

const reach = { bubbles: true, composed: true } as const

export interface CodeSentDetail {
  /** The number as the server masks it, e.g. `+385 •• ••• ••67`. */
  to: string
  /** ISO-8601 instant after which the code no longer works. */
  expiresAt: string
  /** True when this is a resend of the same code. */
  resent: boolean
}

export interface VerifiedDetail {
  /** The signed token (JWT) the page's server checks with the kit's verifier. */
  token: string
  /** The verified number in E.164 form, e.g. `+385911234567`. */
  phoneNumber: string
}

export interface ErrorDetail {
  /** The server's error code (`WRONG_PIN`, `RATE_LIMITED`, …) or `NETWORK_ERROR`. */
  code: WidgetErrorCode
  /** The server's own message, in English, for logs; show the widget's text to people. */
  message: string
}

/** A code was sent (or re-sent) by SMS. */
export class TwoFactorCodeSentEvent extends CustomEvent<CodeSentDetail> {
  static readonly type = 'two-factor-code-sent'
  constructor(detail: CodeSentDetail) {
    super(TwoFactorCodeSentEvent.type, { ...reach, detail })
  }
}

/** The code was right: `detail.token` is the proof of the phone number. */
export class TwoFactorVerifiedEvent extends CustomEvent<VerifiedDetail> {
  static readonly type = 'two-factor-verified'
  constructor(detail: VerifiedDetail) {
    super(TwoFactorVerifiedEvent.type, { ...reach, detail })
  }
}

/** The server (or the network) refused a step; the widget already shows what to do next. */
export class TwoFactorErrorEvent extends CustomEvent<ErrorDetail> {
  static readonly type = 'two-factor-error'
  constructor(detail: ErrorDetail) {
    super(TwoFactorErrorEvent.type, { ...reach, detail })
  }
}

export interface TwoFactorEventMap {
  'two-factor-code-sent': TwoFactorCodeSentEvent
  'two-factor-verified': TwoFactorVerifiedEvent
  'two-factor-error': TwoFactorErrorEvent
}
