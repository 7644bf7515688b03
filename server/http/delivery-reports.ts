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
import { applyDeliveryReports } from '../core/delivery.js'
import { TwoFactorError } from '../core/errors.js'
import { emitEvent, type EventHook } from '../core/events.js'
import { consoleLogger, type Logger } from '../core/log.js'
import { ProviderError, type DeliveryReport, type SmsProvider } from '../providers/types.js'
import type { TwoFactorStore } from '../stores/types.js'
import { errorHandler } from './responses.js'

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
  /** Where failures are logged. @default readable lines on the console */
  logger?: Logger
  /** Told of each report that changed a PIN (`delivery.reported`) and each forged one (`report.forged`). @default none */
  onEvent?: EventHook
  /** The clock, in Unix ms: the kit's, for the events, statistics and index. @default Date.now */
  clock?: () => number
}

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
  const logger = options.logger ?? consoleLogger()
  const clock = options.clock ?? Date.now

  const app = new Hono()
  // A store failure answers 503, which makes the provider deliver the report again later.
  app.onError(errorHandler(logger))

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
        if (error instanceof ProviderError && error.kind === 'unauthorized')
          emitEvent(options.onEvent, logger, { type: 'report.forged', at: clock(), provider: provider.name })
        throw refusal(error)
      }
      const context = { provider: provider.name, onEvent: options.onEvent, logger, clock }
      return c.json(await applyDeliveryReports(store, reports, context))
    },
  )
  return app
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
