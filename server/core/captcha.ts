/**
 * A bot check before anything is spent. The widget renders the captcha
 * service's challenge, `POST /pin` carries its token, and the flow has the service verify that token
 * right after the free offline checks — before any quota is taken, any lookup paid or any SMS sent,
 * so a script without a solved challenge can neither pump SMS nor use up a victim's send budget.
 *
 * Adapters (one file each, e.g. `captcha/turnstile.ts`) only talk to their service; the policy —
 * required token, fail closed, expected action and hostnames — lives here, once. Web APIs only.
 */
import { TwoFactorError } from './errors.js'
import { emitTo, type EventSink } from './events.js'
import { callWithTimeout } from '../providers/failover.js'

/** What the captcha service said about one token. */
export interface CaptchaVerdict {
  success: boolean
  /** The hostname of the page the challenge was solved on, as the service saw it. */
  hostname?: string
  /** The action the widget rendered the challenge with (signed by the service). */
  action?: string
  /** The service's own reasons for a refusal (Turnstile's `error-codes`). */
  reasons: string[]
}

export interface CaptchaVerifier {
  readonly name: string
  /** What `GET /config` hands the widget to render the challenge: nothing secret. */
  readonly widget: { provider: string; siteKey: string; action: string }
  /**
   * Asks the service about `token`. Throws when it can't give a verdict (unreachable, 5xx, a
   * misconfigured secret): the flow then refuses with CAPTCHA_UNAVAILABLE — it fails closed.
   * Single use is the service's job (Turnstile answers `timeout-or-duplicate` for a reused token).
   */
  verify(token: string, context: { remoteIp?: string; signal: AbortSignal }): Promise<CaptchaVerdict>
}

/** Longest token accepted in a request; Turnstile's are at most 2048 characters. */
export const MAX_CAPTCHA_TOKEN_LENGTH = 2048

export interface CaptchaPolicy {
  verifier: CaptchaVerifier
  /** Hostnames the challenge may have been solved on; empty checks none. */
  hostnames: readonly string[]
  timeoutMs: number
}

/** Whom a check is for, and where its `captcha.failed` and `captcha.unavailable` events go. */
export interface CaptchaCheckContext {
  events: EventSink
  at: number
  /** The number, masked, and its country. */
  to: string
  country: string | null
}

/**
 * Resolves when `token` proves a solved challenge for this app; otherwise throws the code that says
 * why. `escalation` names the policy that asks for the check (a tripped conversion breaker when the
 * captcha runs in `escalated` mode): a missing token's refusal then says so, for the widget to
 * show the challenge it did not show up front.
 */
export async function assertCaptchaSolved(
  policy: CaptchaPolicy,
  token: string | undefined,
  remoteIp: string | undefined,
  escalation: { reason: string; scope: string } | undefined,
  context: CaptchaCheckContext,
): Promise<void> {
  const { verifier } = policy
  const about = { at: context.at, to: context.to, country: context.country, provider: verifier.name }
  const failed = (reasons: string[]) => {
    emitTo(context.events, { type: 'captcha.failed', ...about, reasons })
    return new TwoFactorError('CAPTCHA_FAILED', 'The security check failed. Please try it again.', {
      reasons,
    })
  }
  if (!token) {
    emitTo(context.events, { type: 'captcha.failed', ...about, reasons: ['missing-input-response'] })
    throw new TwoFactorError(
      'CAPTCHA_REQUIRED',
      escalation
        ? 'Unusual traffic to numbers like this one: complete the security check, then ask for the code again.'
        : 'Complete the security check before asking for a code.',
      escalation ? { ...escalation } : {},
    )
  }
  let verdict: CaptchaVerdict
  try {
    verdict = await callWithTimeout(verifier.name, policy.timeoutMs, ({ signal }) =>
      verifier.verify(token, { ...(remoteIp ? { remoteIp } : {}), signal }),
    )
  } catch (error) {
    emitTo(context.events, { type: 'captcha.unavailable', ...about }, { err: error })
    throw new TwoFactorError(
      'CAPTCHA_UNAVAILABLE',
      'The security check could not be completed right now. Please try again shortly.',
      { retryAfter: 5 },
    )
  }
  if (!verdict.success) throw failed(verdict.reasons.length > 0 ? verdict.reasons : ['unknown'])
  // A token solved for another widget of the same site key, or on someone else's page, is refused.
  if (verdict.action !== verifier.widget.action) throw failed(['action-mismatch'])
  if (policy.hostnames.length > 0 && !(verdict.hostname && policy.hostnames.includes(verdict.hostname))) {
    throw failed(['hostname-mismatch'])
  }
}
