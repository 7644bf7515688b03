/**
 * What the kit tells the operator, as it happens: one typed event for every step of a verification
 * and every refusal, handed to the `onEvent` option and written as one structured log line. An event
 * never slows or breaks the request that caused it: the hook is called without being awaited, and
 * whatever it throws (or rejects with) is logged. Events carry masked numbers and never a PIN.
 */
import type { Logger } from './log.js'
import type { SendBlockReason } from './policy.js'
import type { DeliveryStatus } from '../stores/types.js'

interface EventBase {
  /** When it happened (Unix ms, the kit's clock). */
  at: number
}

/** What every event about one number carries: never the whole number. */
interface AboutNumber extends EventBase {
  /** The number, masked (`+385 91 *** **67`). */
  to: string
  /** ISO 3166 alpha-2, or null when the number belongs to no country (or is a test number). */
  country: string | null
}

/** An SMS with a PIN went out (or may have: `status` `MESSAGE_STATUS_UNKNOWN`). */
export interface PinSentEvent extends AboutNumber {
  type: 'pin.sent' | 'pin.resent'
  pinId: string
  /** The provider that took the SMS; null for a test number (no SMS). */
  provider: string | null
  status: 'MESSAGE_SENT' | 'MESSAGE_STATUS_UNKNOWN' | 'MESSAGE_NOT_SENT'
  /** Estimated price (the price table's currency) and SMS segments; 0 for a test number. */
  cost: number
  segments: number
  testNumber: boolean
}

export interface PinVerifiedEvent extends AboutNumber {
  type: 'pin.verified'
  pinId: string
  /** The provider that sent the PIN's SMS, when known. */
  provider: string | null
}

/** A wrong PIN; `attemptsRemaining` 0 is followed by `pin.locked`. */
export interface PinFailedAttemptEvent extends AboutNumber {
  type: 'pin.failed_attempt'
  pinId: string
  attemptsRemaining: number
}

export interface PinLockedEvent extends AboutNumber {
  type: 'pin.locked'
  pinId: string
}

/** A verify met a PIN past its time. */
export interface PinExpiredEvent extends AboutNumber {
  type: 'pin.expired'
  pinId: string
}

/** No provider took the SMS: nothing was sent. `provider` is the last one tried. */
export interface SmsFailedEvent extends AboutNumber {
  type: 'sms.failed'
  pinId: string
  provider: string
  /** `permanent`: the number can't take an SMS; `transient`: every provider was down or refused. */
  kind: 'permanent' | 'transient'
  /** Every provider call made, in order: `infobip: transient 503`. */
  attempts: string[]
}

/** A provider failed and the next one in the failover order was tried. */
export interface SmsFailoverEvent extends AboutNumber {
  type: 'sms.failover'
  pinId: string
  /** The provider that failed, how, and the one tried next. */
  provider: string
  outcome: 'permanent' | 'transient' | 'timeout'
  code: string | null
  next: string
}

/** A delivery report changed a PIN's delivery status. */
export interface DeliveryReportedEvent extends AboutNumber {
  type: 'delivery.reported'
  pinId: string
  provider: string
  status: DeliveryStatus
}

/** The network lookup said the number can't take a PIN. */
export interface LookupRefusedEvent extends AboutNumber {
  type: 'lookup.refused'
  provider: string
  reason: 'NUMBER_NOT_REACHABLE' | 'NUMBER_TYPE_NOT_ALLOWED'
  lineType: string | null
}

/** The lookup itself failed; `policy` says whether the send was refused (`closed`) or went on. */
export interface LookupFailedEvent extends AboutNumber {
  type: 'lookup.failed'
  provider: string
  policy: 'closed' | 'open'
}

/** A send refused by a policy, or — in shadow mode — one that would have been. */
export interface SendRefusedEvent extends AboutNumber {
  type: 'send.refused'
  reason: SendBlockReason
  /** What the decision applies to: `country:HR`, `range:385911234`, `network:21901`, `application`. */
  scope: string
  /** True when the policy runs in shadow mode: recorded, not enforced (the send went ahead). */
  shadow: boolean
}

/** A send, resend or verify over one of its rate limits (`limit`: the option's name). */
export interface RateLimitedEvent extends AboutNumber {
  type: 'send.rate_limited' | 'verify.rate_limited'
  limit: string
  /** Seconds until the limit lets the next one through. */
  retryAfter: number
  /** The PIN a resend or verify was for. */
  pinId: string | null
}

/** The captcha was missing or refused (`reasons`: the service's, or `missing-input-response`). */
export interface CaptchaFailedEvent extends AboutNumber {
  type: 'captcha.failed'
  provider: string
  reasons: string[]
}

/** The captcha service gave no verdict (down, slow, misconfigured): the send was refused. */
export interface CaptchaUnavailableEvent extends AboutNumber {
  type: 'captcha.unavailable'
  provider: string
}

/** A delivery-report webhook that could not be authenticated (forged, or a wrong secret). */
export interface ReportForgedEvent extends EventBase {
  type: 'report.forged'
  provider: string
}

/** A scope was blocked (or put under a captcha) by a policy; `until` is when it ends by itself. */
export interface ScopeBlockedEvent extends EventBase {
  type: 'policy.blocked'
  reason: SendBlockReason
  scope: string
  action: 'block' | 'captcha'
  /** 1 for a first block; each repeat within a day doubles the duration. */
  level: number
  until: number
}

/** Spend crossed 80 % of a daily ceiling (once per ceiling and day). */
export interface SpendCeilingNearEvent extends EventBase {
  type: 'spend.ceiling_near'
  /** `application` for the global ceiling, `country:HR` for one country's. */
  scope: string
  /** Estimated spend so far today and the ceiling, in the price table's currency. */
  spent: number
  ceiling: number
}

export type TwoFactorEvent =
  | PinSentEvent
  | PinVerifiedEvent
  | PinFailedAttemptEvent
  | PinLockedEvent
  | PinExpiredEvent
  | SmsFailedEvent
  | SmsFailoverEvent
  | DeliveryReportedEvent
  | LookupRefusedEvent
  | LookupFailedEvent
  | SendRefusedEvent
  | RateLimitedEvent
  | CaptchaFailedEvent
  | CaptchaUnavailableEvent
  | ReportForgedEvent
  | ScopeBlockedEvent
  | SpendCeilingNearEvent

export type TwoFactorEventType = TwoFactorEvent['type']

export type EventHook = (event: TwoFactorEvent) => void | Promise<void>

/** The steps that went as they should: logged at `info`; every refusal and failure at `warn`. */
const STEPS: ReadonlySet<TwoFactorEventType> = new Set([
  'pin.sent',
  'pin.resent',
  'pin.verified',
  'delivery.reported',
])

/**
 * Logs the event (one line; `logFields` adds what only the log should have, such as the `err` behind
 * a failure) and calls the hook without awaiting it; a throw or a rejection is logged, never passed on.
 */
export function emitEvent(
  hook: EventHook | undefined,
  logger: Logger,
  event: TwoFactorEvent,
  logFields?: { err?: unknown },
): void {
  try {
    logger[STEPS.has(event.type) ? 'info' : 'warn']({ ...logFields, event }, event.type)
  } catch {
    // A logger that throws must not break the request either.
  }
  if (!hook) return
  const failed = (error: unknown) => {
    try {
      logger.error({ err: error, event: event.type }, 'onEvent threw; the request went on')
    } catch {
      // As above.
    }
  }
  try {
    const result = hook(event)
    if (result && typeof result.then === 'function') result.then(undefined, failed)
  } catch (error) {
    failed(error)
  }
}

/** Where a part of the kit that is made apart from the options (the lookup gate, the captcha check) sends its events. */
export interface EventSink {
  onEvent: EventHook | undefined
  logger: Logger
}

export const emitTo = (sink: EventSink, event: TwoFactorEvent, logFields?: { err?: unknown }) =>
  emitEvent(sink.onEvent, sink.logger, event, logFields)
