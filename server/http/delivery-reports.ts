/**
 * `POST /:provider` (and `GET`, for Vonage accounts set to GET receipts): delivery-report webhooks.
 * The provider's adapter authenticates and parses the request; this route maps each report onto the
 * PIN it belongs to. Nothing changes unless the request is authentic and well-formed.
 *
 * Reports for message ids we don't know (a PIN already forgotten, or not ours) are acknowledged with
 * 200 and ignored: providers re-send on anything but 2xx, and re-sending can't make them known.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { StoreError, TwoFactorError } from '../core/errors.js'
import { ProviderError } from '../providers/types.js'
import type { DeliveryReport, SmsProvider } from '../providers/types.js'
import type { DeliveryStatus, TwoFactorStore } from '../stores/types.js'

export interface DeliveryReportRoutesOptions {
  /** Providers by `name`; the path segment picks one (`/reports/infobip`). */
  providers: SmsProvider[]
  store: TwoFactorStore
  /**
   * The public base URL providers were told to post to (the kit's `deliveryReportUrl`): a report
   * for `twilio` is checked as posted to `${publicBaseUrl}/twilio` plus the request's query string.
   * Twilio signs that URL, so set this whenever a proxy may change the scheme, host or path.
   * @default the request's own URL
   */
  publicBaseUrl?: string
  /** Full control over the URL checked, instead of `publicBaseUrl`. */
  publicUrl?: (request: Request, provider: string) => string
  /**
   * Largest report body accepted (Infobip batches up to 100 reports per request).
   * @default 1048576
   */
  maxBodyBytes?: number
}

export interface DeliveryReportOutcome {
  received: number
  /** Reports that changed a PIN's delivery status. */
  updated: number
  /** Reports for a known PIN that did not change it (late, out of order or repeated). */
  unchanged: number
  /** Reports for message ids we don't know. */
  unknown: number
}

const FINAL: ReadonlySet<DeliveryStatus> = new Set([
  'DELIVERED',
  'UNDELIVERABLE',
  'EXPIRED',
  'REJECTED',
  'FAILED',
])
const PROGRESS: Record<string, number> = { PENDING: 0, ACCEPTED: 1, SENT: 2 }

export function deliveryReportRoutes(options: DeliveryReportRoutesOptions): Hono {
  const { store } = options
  if (!store) throw new TypeError('deliveryReportRoutes: "store" is required')
  if (!Array.isArray(options.providers))
    throw new TypeError('deliveryReportRoutes: "providers" must be an array')
  const providers = new Map(options.providers.map((provider) => [provider.name, provider]))
  const base = options.publicBaseUrl?.replace(/\/+$/, '')
  if (base !== undefined && !/^https?:\/\/[^/]+/.test(base)) {
    throw new TypeError('deliveryReportRoutes: "publicBaseUrl" must be an absolute http(s) URL')
  }
  const publicUrl =
    options.publicUrl ??
    ((request: Request, provider: string) =>
      base ? `${base}/${provider}${new URL(request.url).search}` : request.url)
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576

  const app = new Hono()
  app.onError((error, c) => {
    const failure =
      error instanceof TwoFactorError
        ? error
        : error instanceof StoreError
          ? // 503 makes the provider deliver the report again later.
            new TwoFactorError('STORE_UNAVAILABLE', 'The store is unavailable; try again later.')
          : new TwoFactorError('INTERNAL_ERROR', 'The delivery report could not be processed.')
    return c.json(failure.toJSON(), failure.status as 400)
  })

  app.on(
    ['GET', 'POST'],
    '/:provider',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new TwoFactorError(
          'PAYLOAD_TOO_LARGE',
          `Delivery reports are limited to ${maxBodyBytes} bytes.`,
        )
      },
    }),
    async (c) => {
      const provider = providers.get(c.req.param('provider'))
      if (!provider?.parseDeliveryReports) {
        throw new TwoFactorError('NOT_FOUND', 'No provider with delivery reports has that name.')
      }
      let reports: DeliveryReport[]
      try {
        reports = await provider.parseDeliveryReports(c.req.raw, { url: publicUrl(c.req.raw, provider.name) })
      } catch (error) {
        throw refusal(error)
      }
      return c.json(await applyDeliveryReports(store, reports))
    },
  )
  return app
}

/** Applies parsed reports to the PINs they belong to; exported for runtimes that route themselves. */
export async function applyDeliveryReports(
  store: TwoFactorStore,
  reports: DeliveryReport[],
): Promise<DeliveryReportOutcome> {
  const outcome: DeliveryReportOutcome = { received: reports.length, updated: 0, unchanged: 0, unknown: 0 }
  for (const report of reports) {
    const pinId = await store.findPinIdByMessageId(report.messageId)
    const record = pinId ? await store.getPin(pinId) : null
    if (!pinId || !record) {
      outcome.unknown += 1
      continue
    }
    const fromLatestMessage = record.messageIds.at(-1) === report.messageId
    const next = nextDeliveryStatus(record.deliveryStatus, report.status, fromLatestMessage)
    if (next === record.deliveryStatus) {
      outcome.unchanged += 1
      continue
    }
    // Read, then write: the store has no compare-and-set for this field. Two reports for one PIN
    // racing can at worst leave the earlier of two statuses, never touch the PIN's secret or attempts.
    await store.updatePin(pinId, { deliveryStatus: next })
    outcome.updated += 1
  }
  return outcome
}

/**
 * Where a PIN's delivery status goes on a new report. Reports arrive late and out of order, and a
 * resend adds a newer SMS (with the same PIN) to the record:
 * - DELIVERED (from any of the PIN's SMS) wins: the user has the code.
 * - Anything else about an older SMS is ignored: the newest one is what the user waits for.
 * - A final status (FAILED included: the provider has given up on that SMS) is never replaced by an
 *   intermediate one, and the first final status stays.
 * - Intermediate statuses only move forward (ACCEPTED → SENT).
 */
export function nextDeliveryStatus(
  current: DeliveryStatus,
  incoming: DeliveryStatus,
  fromLatestMessage: boolean,
): DeliveryStatus {
  if (current === 'DELIVERED') return current
  if (incoming === 'DELIVERED') return incoming
  if (!fromLatestMessage) return current
  if (FINAL.has(current)) return current
  if (FINAL.has(incoming)) return incoming
  return (PROGRESS[incoming] ?? 0) > (PROGRESS[current] ?? 0) ? incoming : current
}

function refusal(error: unknown): Error {
  if (error instanceof ProviderError && error.kind === 'unauthorized') {
    return new TwoFactorError(
      'DELIVERY_REPORT_UNAUTHORIZED',
      'The delivery report could not be authenticated.',
    )
  }
  if (error instanceof ProviderError && error.kind === 'malformed') {
    return new TwoFactorError('INVALID_DELIVERY_REPORT', error.message)
  }
  return error instanceof Error ? error : new Error(String(error))
}
