/**
 * Infobip: SMS (`POST /sms/3/messages`), Number Lookup (`POST /number/1/query`) and JSON delivery
 * reports, over fetch with `Authorization: App <key>` against the account's own base URL.
 *
 * Delivery reports carry no signature of their own for per-message webhook URLs, so the adapter adds
 * `?token=<deliveryReportSecret>` to the report URL it gives Infobip and checks it when the report
 * comes back (a Subscriptions "BASIC" security setting with that secret as password works too).
 */
import { ProviderAccountError } from './failover.js'
import { ProviderError } from './types.js'
import type {
  CallOptions,
  DeliveryReport,
  LookupResult,
  SendResult,
  SmsMessage,
  SmsProvider,
} from './types.js'
import type { DeliveryStatus } from '../stores/types.js'
import {
  defaultFetch,
  internationalDigits,
  isRecord,
  isRetryableStatus,
  malformedReport,
  malformedResponse,
  optionalSecret,
  parseJson,
  presentedReportSecret,
  requestProvider,
  requireBaseUrl,
  requireString,
  stringField,
  timingSafeEqual,
  unauthorizedReport,
  withQueryParameter,
  type FetchFunction,
  type ProviderResponse,
} from './http.js'

export interface InfobipProviderOptions {
  /** Your account's base URL, shown in the Infobip portal, e.g. `https://xyz123.api.infobip.com`. */
  baseUrl: string
  /** An API key with the `sms:message:send` scope (and `number-lookup` scopes for lookups). */
  apiKey: string
  /**
   * Sender id used when a message has none of its own.
   * @default undefined (Infobip's default sender for the account)
   */
  sender?: string
  /**
   * Offer Number Lookup (paid per query). The kit only uses it when you choose this provider for lookups.
   * @default true
   */
  lookup?: boolean
  /**
   * Random secret (≥ 16 characters) that authenticates delivery reports. Without it the adapter asks
   * Infobip for no reports and refuses any that arrive.
   * @default undefined
   */
  deliveryReportSecret?: string
  /** @default globalThis.fetch */
  fetch?: FetchFunction
  /**
   * Name in `POST /reports/:provider` and in answers.
   * @default 'infobip'
   */
  name?: string
}

// Infobip clamps validity to 48 hours; we do it ourselves so the request is never refused for it.
const MAX_VALIDITY_SECONDS = 48 * 3600

// Send-time rejections that are about the recipient: no provider will do better.
const RECIPIENT_REJECTIONS = new Set([
  'REJECTED_DND',
  'REJECTED_DESTINATION_BLOCKLISTED',
  'REJECTED_PREFIX_MISSING',
  'REJECTED_DESTINATION',
  'MISSING_TO',
  'REJECTED_FLOODING_FILTER',
])

export function infobipProvider(options: InfobipProviderOptions): SmsProvider {
  const factory = 'infobipProvider'
  const baseUrl = requireBaseUrl(
    factory,
    'baseUrl',
    options.baseUrl,
    'use your account base URL from the Infobip portal',
  )
  const apiKey = requireString(factory, 'apiKey', options.apiKey, 'create an API key in the Infobip portal')
  const sender = options.sender?.trim() || undefined
  const reportSecret = optionalSecret(factory, 'deliveryReportSecret', options.deliveryReportSecret)
  const fetchImpl = options.fetch ?? defaultFetch()
  const name = options.name ?? 'infobip'

  async function call(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ProviderResponse> {
    return requestProvider(name, fetchImpl, `${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `App ${apiKey}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify(body),
      signal,
    })
  }

  async function send(message: SmsMessage, callOptions: CallOptions = {}): Promise<SendResult> {
    const entry: Record<string, unknown> = {
      destinations: [{ to: internationalDigits(message.to), messageId: message.reference }],
      content: { text: message.text },
    }
    const from = message.from ?? sender
    if (from) entry.sender = from
    if (message.validitySeconds !== undefined) {
      const amount = Math.min(MAX_VALIDITY_SECONDS, Math.max(1, Math.ceil(message.validitySeconds)))
      entry.options = { validityPeriod: { amount, timeUnit: 'SECONDS' } }
    }
    if (message.deliveryReportUrl && reportSecret) {
      entry.webhooks = {
        delivery: { url: withQueryParameter(message.deliveryReportUrl, 'token', reportSecret), notify: true },
        contentType: 'application/json',
        callbackData: message.reference,
      }
    }
    const response = await call('/sms/3/messages', { messages: [entry] }, callOptions.signal)
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const sent = firstOf(parseJson(name, response), 'messages')
    const messageId = stringField(sent, 'messageId')
    const status = isRecord(sent) ? sent.status : undefined
    if (!messageId || !isRecord(status)) throw malformedResponse(name, response.status)
    const statusName = stringField(status, 'name') ?? ''
    // Our reference is the message id: a retry of a send that did go through is refused as a
    // duplicate, which tells us the first one was accepted.
    if (statusName === 'REJECTED_DUPLICATE_MESSAGE_ID')
      return { messageId, status: 'ACCEPTED', provider: name }
    const mapped = infobipDeliveryStatus(status, isRecord(sent) ? sent.error : undefined)
    if (mapped === 'REJECTED' || mapped === 'UNDELIVERABLE' || mapped === 'FAILED' || mapped === 'EXPIRED') {
      throw sendRefusal(name, statusName, mapped)
    }
    return { messageId, status: mapped, provider: name }
  }

  async function lookup(phoneNumber: string, callOptions: CallOptions = {}): Promise<LookupResult> {
    const response = await call(
      '/number/1/query',
      { to: [internationalDigits(phoneNumber)] },
      callOptions.signal,
    )
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const result = firstOf(parseJson(name, response), 'results')
    if (!isRecord(result) || !isRecord(result.status)) throw malformedResponse(name, response.status)
    return lookupResult(result)
  }

  async function parseDeliveryReports(request: Request): Promise<DeliveryReport[]> {
    if (!reportSecret) {
      throw unauthorizedReport(name, `${name}: set "deliveryReportSecret" to accept delivery reports`)
    }
    const presented = presentedReportSecret(request)
    if (!presented || !timingSafeEqual(presented, reportSecret)) {
      throw unauthorizedReport(name, `${name}: delivery report without the configured secret`)
    }
    let body: unknown
    try {
      body = JSON.parse(await request.text())
    } catch {
      throw malformedReport(name, `${name}: delivery report body is not JSON`)
    }
    if (!isRecord(body) || !Array.isArray(body.results)) {
      throw malformedReport(name, `${name}: delivery report has no "results" array`)
    }
    return body.results.map((result: unknown) => {
      const messageId = stringField(result, 'messageId')
      if (!messageId || !isRecord(result) || !isRecord(result.status)) {
        throw malformedReport(name, `${name}: delivery report entry without messageId or status`)
      }
      const error = isRecord(result.error) ? result.error : undefined
      return {
        messageId,
        status: infobipDeliveryStatus(result.status, error),
        providerStatus: stringField(result.status, 'name'),
        providerErrorCode: error && stringField(error, 'id') !== '0' ? stringField(error, 'name') : undefined,
      }
    })
  }

  return options.lookup === false
    ? { name, send, parseDeliveryReports }
    : { name, send, lookup, parseDeliveryReports }
}

/** Infobip status (+ error) → the kit's one delivery vocabulary (`DeliveryStatus`). */
export function infobipDeliveryStatus(status: unknown, error?: unknown): DeliveryStatus {
  const group = (stringField(status, 'groupName') ?? '').toUpperCase()
  const statusName = stringField(status, 'name') ?? ''
  switch (group) {
    case 'PENDING':
      return statusName === 'PENDING_WAITING_DELIVERY' ? 'SENT' : 'ACCEPTED'
    case 'ACCEPTED':
      return 'ACCEPTED'
    case 'DELIVERED':
      // DELIVERED_TO_OPERATOR is not final: the handset report may still follow.
      return statusName === 'DELIVERED_TO_OPERATOR' ? 'SENT' : 'DELIVERED'
    case 'UNDELIVERABLE':
      return isRecord(error) && error.permanent === true ? 'UNDELIVERABLE' : 'FAILED'
    case 'EXPIRED':
      return 'EXPIRED'
    case 'REJECTED':
      if (statusName === 'REJECTED_SYSTEM_ERROR') return 'FAILED'
      if (['REJECTED_PREFIX_MISSING', 'MISSING_TO', 'REJECTED_DESTINATION'].includes(statusName)) {
        return 'UNDELIVERABLE'
      }
      return 'REJECTED'
    default:
      return 'FAILED'
  }
}

function sendRefusal(provider: string, statusName: string, mapped: DeliveryStatus): ProviderError {
  const message = `${provider} refused the message: ${statusName || mapped}`
  const details = { providerCode: statusName || mapped }
  if (mapped === 'FAILED') return new ProviderError('transient', provider, message, details)
  if (mapped === 'UNDELIVERABLE' || RECIPIENT_REJECTIONS.has(statusName)) {
    return new ProviderError('permanent', provider, message, details)
  }
  return new ProviderAccountError(provider, message, details)
}

/** Both of Infobip's error shapes: `ApiError` (SMS v3) and `requestError.serviceException` (lookup, legacy). */
function httpError(provider: string, response: ProviderResponse): ProviderError {
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    body = undefined
  }
  const exception =
    isRecord(body) && isRecord(body.requestError) ? body.requestError.serviceException : undefined
  const code =
    stringField(body, 'errorCode') ?? stringField(exception, 'messageId') ?? `HTTP_${response.status}`
  const text = stringField(body, 'description') ?? stringField(exception, 'text') ?? 'no description'
  const details = { providerCode: code, httpStatus: response.status }
  const message = `${provider} answered HTTP ${response.status} ${code}: ${text}`
  if (isRetryableStatus(response.status)) return new ProviderError('transient', provider, message, details)
  if (response.status === 400 && blamesDestination(body, exception)) {
    return new ProviderError('permanent', provider, message, details)
  }
  if (response.status >= 400) return new ProviderAccountError(provider, message, details)
  return malformedResponse(provider, response.status)
}

// A 400 whose violations point at the destination is about the number, not about our request.
function blamesDestination(body: unknown, exception: unknown): boolean {
  const properties: string[] = []
  if (isRecord(body) && Array.isArray(body.violations)) {
    for (const violation of body.violations) properties.push(stringField(violation, 'property') ?? '')
  }
  if (isRecord(exception) && isRecord(exception.validationErrors)) {
    properties.push(...Object.keys(exception.validationErrors))
  }
  return properties.some((property) => /(^|\.)to$/.test(property))
}

function lookupResult(result: Record<string, unknown>): LookupResult {
  const status = result.status as Record<string, unknown>
  const error = isRecord(result.error) ? result.error : undefined
  const group = (stringField(status, 'groupName') ?? '').toUpperCase()
  const errorId = stringField(error, 'id')
  const hasError = errorId !== undefined && errorId !== '0'
  // A permanent handset error (EC_UNKNOWN_SUBSCRIBER …) means the number does not exist; a transient
  // one (EC_ABSENT_SUBSCRIBER …) means it exists but can't take an SMS right now.
  const valid = !(hasError && error?.permanent === true)
  const reachable = group === 'DELIVERED' && !hasError ? true : group === 'PENDING' ? undefined : false
  const mccMnc = stringField(result, 'mccMnc')
  const network = isRecord(result.portedNetwork) ? result.portedNetwork : result.originalNetwork
  return {
    valid,
    reachable,
    // The network's subscriber register only answers for mobile numbers.
    lineType: reachable === true || mccMnc ? 'mobile' : 'unknown',
    network: {
      name: stringField(network, 'networkName'),
      mcc: mccMnc?.slice(0, 3),
      mnc: mccMnc?.slice(3) || undefined,
    },
    ported: typeof result.ported === 'boolean' ? result.ported : undefined,
    roaming: typeof result.roaming === 'boolean' ? result.roaming : undefined,
    raw: result,
  }
}

function firstOf(body: unknown, key: string): unknown {
  return isRecord(body) && Array.isArray(body[key]) ? body[key][0] : undefined
}
