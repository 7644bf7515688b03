/**
 * The SMS / number-lookup provider interface. Adapters (console, Infobip, Twilio, Vonage) are small
 * factories in `server/providers/`, one file each, that return a plain object on this interface.
 * They use `fetch` only, so they run on Node and Workers alike.
 */
import type { Logger } from '../core/log.js'
import type { DeliveryStatus } from '../stores/types.js'

export interface SmsMessage {
  /** E.164 with `+`; adapters reformat it for their API (Infobip and Vonage want digits only). */
  to: string
  text: string
  /** Sender id (alphanumeric or a number), when configured. */
  from?: string
  /**
   * Our own correlation id for this SMS (unique per send, ≤ 40 chars, [A-Za-z0-9-]).
   * Adapters pass it where the provider echoes it (Infobip `messageId`/`callbackData`, Vonage
   * `client-ref`, Twilio status-callback query string).
   */
  reference: string
  /** Absolute URL the provider should post its delivery report to, when reports are enabled. */
  deliveryReportUrl?: string
  /** How long the network should keep trying, in seconds (the PIN's remaining life). */
  validitySeconds?: number
}

export interface SendResult {
  /** The provider's id for the message: delivery reports refer to it. */
  messageId: string
  status: DeliveryStatus
  /** The provider's `name`. */
  provider: string
}

export type LineType =
  | 'mobile'
  | 'landline'
  | 'fixed_or_mobile'
  | 'voip'
  | 'toll_free'
  | 'premium'
  | 'shared_cost'
  | 'personal'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown'

export interface LookupResult {
  valid: boolean
  /** Whether the network says the subscriber can be reached now; undefined when the provider can't tell. */
  reachable: boolean | undefined
  lineType: LineType
  network?: { name?: string; mcc?: string; mnc?: string }
  ported?: boolean
  roaming?: boolean
  /** The provider's own answer, kept for diagnostics (never sent to the browser). */
  raw: unknown
}

export interface DeliveryReport {
  /** The provider's message id (as returned by `send`). */
  messageId: string
  status: DeliveryStatus
  /** The provider's own status / error code, kept as it came. */
  providerStatus?: string
  providerErrorCode?: string
}

export interface CallOptions {
  /** Aborted when the per-call time budget runs out. */
  signal?: AbortSignal
}

export interface SmsProvider {
  /** Stable name, used in `POST /reports/:provider` and in answers (`sms.provider`). */
  readonly name: string
  send(message: SmsMessage, options?: CallOptions): Promise<SendResult>
  lookup?(phoneNumber: string, options?: CallOptions): Promise<LookupResult>
  /**
   * Reads one delivery-report webhook request in the provider's documented format, after
   * authenticating it. `url` is the public URL the provider posted to (Twilio signs it).
   * Throws ProviderError(kind 'unauthorized' | 'malformed') when the request must be refused.
   */
  parseDeliveryReports?(request: Request, context: { url: string }): Promise<DeliveryReport[]>
  /**
   * Hands the adapter the kit's logger, once, when `twoFactor()` starts: an adapter that logs does
   * it there, whichever entry made it (the Node and Workers entries make providers from the
   * environment, before any logger is known). A logger given to the adapter itself takes precedence.
   */
  useLogger?(logger: Logger): void
}

/**
 * How a provider call failed:
 * - `permanent`: retrying or another provider won't help (unknown subscriber, bad number, auth).
 * - `transient`: try again or fail over (timeout, 429, 5xx, network, malformed answer).
 * - `unauthorized` / `malformed`: a delivery report that must be refused.
 */
export type ProviderErrorKind = 'permanent' | 'transient' | 'unauthorized' | 'malformed'

export class ProviderError extends Error {
  override readonly name = 'ProviderError'
  constructor(
    readonly kind: ProviderErrorKind,
    readonly provider: string,
    message: string,
    readonly details: { providerCode?: string; httpStatus?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
