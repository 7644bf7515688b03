/**
 * Vonage (Nexmo) SMS API: `POST /sms/json` with `api_key`/`api_secret` form fields, optional Number
 * Insight lookups, and delivery receipts (GET query, POST form or POST JSON — whichever the dashboard
 * is set to). Vonage answers HTTP 200 even for refused messages: the per-message `status` decides.
 *
 * Receipts are authenticated by Vonage's signed webhooks (`sig`, an HMAC of the sorted parameters)
 * when `signatureSecret` is set, otherwise by `?token=<deliveryReportSecret>`, which the adapter adds
 * to the callback URL it sends.
 */
import { ConfigurationError } from '../core/errors.js'
import { ProviderAccountError } from './failover.js'
import { countSegments } from '../core/segments.js'
import { ProviderError } from './types.js'
import type {
  CallOptions,
  DeliveryReport,
  LineType,
  LookupResult,
  SendResult,
  SmsMessage,
  SmsProvider,
} from './types.js'
import {
  defaultFetch,
  internationalDigits,
  isRecord,
  isRetryableStatus,
  malformedResponse,
  optionalSecret,
  parseJson,
  requestProvider,
  requireBaseUrl,
  requireString,
  stringField,
  withQueryParameter,
  type FetchFunction,
  type ProviderResponse,
} from './http.js'
import { readVonageReceipt, VONAGE_SIGNATURE_HASHES, type VonageSignatureMethod } from './vonage-receipts.js'

export { vonageDeliveryStatus, vonageSignature, type VonageSignatureMethod } from './vonage-receipts.js'

export interface VonageProviderOptions {
  apiKey: string
  apiSecret: string
  /** Sender name or number (alphanumeric ids are not allowed in every country). */
  from: string
  /** @default 'https://rest.nexmo.com' */
  baseUrl?: string
  /** Number Insight host. @default 'https://api.nexmo.com' */
  insightBaseUrl?: string
  /**
   * Number Insight level used by `lookup` (paid per query); false leaves `lookup` out.
   * @default false
   */
  lookup?: false | 'standard' | 'advanced'
  /** The dashboard's signature secret, to verify signed delivery receipts. @default undefined */
  signatureSecret?: string
  /**
   * The dashboard's signature method. MD5 modes are refused: Web Crypto has no MD5.
   * @default 'sha256hmac'
   */
  signatureMethod?: VonageSignatureMethod
  /** Signed receipts older (or newer) than this are refused, against replay. @default 300 */
  signatureMaxAgeSeconds?: number
  /** Random secret (≥ 16 chars) put in the callback URL when receipts are not signed. @default undefined */
  deliveryReportSecret?: string
  /** @default Date.now */
  clock?: () => number
  /** @default globalThis.fetch */
  fetch?: FetchFunction
  /** @default 'vonage' */
  name?: string
}

// The SMS API's send-time `status` codes: 1 throttled, 5 internal error, 10 too many binds → try
// again; 6 unrecognised prefix, 7 barred, 33 de-activated → the recipient; anything else is our
// account.
const TRANSIENT_STATUSES = new Set(['1', '5', '10'])
const RECIPIENT_STATUSES = new Set(['6', '7', '33'])
const NETWORK_TYPES: Record<string, LineType> = {
  mobile: 'mobile',
  landline: 'landline',
  landline_premium: 'premium',
  landline_tollfree: 'toll_free',
  virtual: 'voip',
  pager: 'pager',
  unknown: 'unknown',
}

export function vonageProvider(options: VonageProviderOptions): SmsProvider {
  const factory = 'vonageProvider'
  const apiKey = requireString(
    factory,
    'apiKey',
    options.apiKey,
    'copy the API key from the Vonage dashboard',
  )
  const apiSecret = requireString(
    factory,
    'apiSecret',
    options.apiSecret,
    'copy the API secret from the Vonage dashboard',
  )
  const from = requireString(factory, 'from', options.from, 'set the sender name or number Vonage should use')
  const baseUrl = requireBaseUrl(
    factory,
    'baseUrl',
    options.baseUrl ?? 'https://rest.nexmo.com',
    'or leave it out',
  )
  const insightBaseUrl = requireBaseUrl(
    factory,
    'insightBaseUrl',
    options.insightBaseUrl ?? 'https://api.nexmo.com',
    'or leave it out',
  )
  const signatureSecret = options.signatureSecret
  if (signatureSecret !== undefined && signatureSecret.length === 0) {
    throw new ConfigurationError(
      `${factory}: "signatureSecret" is empty — copy it from the dashboard or leave it out`,
    )
  }
  const method = options.signatureMethod ?? 'sha256hmac'
  if (!(method in VONAGE_SIGNATURE_HASHES)) {
    throw new ConfigurationError(
      `${factory}: "signatureMethod" must be sha1hmac, sha256hmac or sha512hmac (MD5 modes can't be verified with Web Crypto), got "${String(method)}"`,
    )
  }
  const maxAgeSeconds = options.signatureMaxAgeSeconds ?? 300
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) {
    throw new ConfigurationError(`${factory}: "signatureMaxAgeSeconds" must be a positive number of seconds`)
  }
  const reportSecret = optionalSecret(factory, 'deliveryReportSecret', options.deliveryReportSecret)
  const level = options.lookup ?? false
  if (level !== false && level !== 'standard' && level !== 'advanced') {
    throw new ConfigurationError(`${factory}: "lookup" must be false, "standard" or "advanced"`)
  }
  const clock = options.clock ?? Date.now
  const fetchImpl = options.fetch ?? defaultFetch()
  const name = options.name ?? 'vonage'

  async function send(message: SmsMessage, callOptions: CallOptions = {}): Promise<SendResult> {
    const form = new URLSearchParams({
      api_key: apiKey,
      api_secret: apiSecret,
      from: message.from ?? from,
      to: internationalDigits(message.to),
      text: message.text,
      type: countSegments(message.text).encoding === 'UCS-2' ? 'unicode' : 'text',
      'client-ref': message.reference,
    })
    if (message.deliveryReportUrl && (signatureSecret || reportSecret)) {
      const callback = signatureSecret
        ? message.deliveryReportUrl
        : withQueryParameter(message.deliveryReportUrl, 'token', reportSecret!)
      form.set('callback', callback)
      form.set('status-report-req', 'true')
    }
    if (message.validitySeconds !== undefined) {
      form.set(
        'ttl',
        String(Math.min(604_800_000, Math.max(20_000, Math.ceil(message.validitySeconds * 1000)))),
      )
    }
    const response = await requestProvider(name, fetchImpl, `${baseUrl}/sms/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
      signal: callOptions.signal,
    })
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const body = parseJson(name, response)
    const parts = isRecord(body) && Array.isArray(body.messages) ? body.messages : []
    if (parts.length === 0) throw malformedResponse(name, response.status)
    for (const part of parts) {
      const status = stringField(part, 'status')
      if (status === undefined) throw malformedResponse(name, response.status)
      if (status !== '0') throw statusError(name, status, stringField(part, 'error-text'))
    }
    // A long text is split into parts, each with its own id and receipt; the first one stands for all.
    const messageId = stringField(parts[0], 'message-id')
    if (!messageId) throw malformedResponse(name, response.status)
    return { messageId, status: 'ACCEPTED', provider: name }
  }

  async function lookup(phoneNumber: string, callOptions: CallOptions = {}): Promise<LookupResult> {
    const query = new URLSearchParams({
      api_key: apiKey,
      api_secret: apiSecret,
      number: internationalDigits(phoneNumber),
    })
    const response = await requestProvider(
      name,
      fetchImpl,
      `${insightBaseUrl}/ni/${String(level)}/json?${query}`,
      {
        method: 'GET',
        headers: { Accept: 'application/json' },
        signal: callOptions.signal,
      },
    )
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const body = parseJson(name, response)
    const status = stringField(body, 'status')
    if (!isRecord(body) || status === undefined) throw malformedResponse(name, response.status)
    if (status !== '0') {
      const details = { providerCode: status, httpStatus: response.status }
      const text = `${name} Number Insight status ${status}: ${stringField(body, 'status_message') ?? ''}`
      if (['1', '5', '43', '44', '45'].includes(status))
        throw new ProviderError('transient', name, text, details)
      throw new ProviderAccountError(name, text, details)
    }
    return insightResult(body)
  }

  async function parseDeliveryReports(request: Request): Promise<DeliveryReport[]> {
    return readVonageReceipt(name, request, {
      signatureSecret,
      signatureMethod: method,
      signatureMaxAgeSeconds: maxAgeSeconds,
      reportSecret,
      clock,
    })
  }

  return level === false ? { name, send, parseDeliveryReports } : { name, send, lookup, parseDeliveryReports }
}

function statusError(provider: string, status: string, errorText: string | undefined): ProviderError {
  const message = `${provider} refused the message: status ${status}${errorText ? ` (${errorText})` : ''}`
  const details = { providerCode: status, httpStatus: 200 }
  if (TRANSIENT_STATUSES.has(status)) return new ProviderError('transient', provider, message, details)
  if (RECIPIENT_STATUSES.has(status)) return new ProviderError('permanent', provider, message, details)
  return new ProviderAccountError(provider, message, details)
}

// Non-2xx answers are not in Vonage's SMS spec; treat them like any HTTP API would.
function httpError(provider: string, response: ProviderResponse): ProviderError {
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    body = undefined
  }
  const details = {
    providerCode: stringField(body, 'title') ?? `HTTP_${response.status}`,
    httpStatus: response.status,
  }
  const message = `${provider} answered HTTP ${response.status}`
  if (isRetryableStatus(response.status)) return new ProviderError('transient', provider, message, details)
  if (response.status >= 400) return new ProviderAccountError(provider, message, details)
  return malformedResponse(provider, response.status)
}

function insightResult(body: Record<string, unknown>): LookupResult {
  const carrier = isRecord(body.current_carrier) ? body.current_carrier : undefined
  const networkCode = stringField(carrier, 'network_code')
  const validNumber = stringField(body, 'valid_number')
  const reachable = stringField(body, 'reachable')
  const ported = stringField(body, 'ported')
  const roaming = isRecord(body.roaming) ? stringField(body.roaming, 'status') : undefined
  return {
    valid: validNumber !== 'not_valid' && validNumber !== 'inferred_not_valid',
    reachable:
      reachable === 'reachable'
        ? true
        : reachable && ['undeliverable', 'absent', 'bad_number', 'blacklisted'].includes(reachable)
          ? false
          : undefined,
    lineType: NETWORK_TYPES[stringField(carrier, 'network_type') ?? 'unknown'] ?? 'unknown',
    network: {
      name: stringField(carrier, 'name'),
      mcc: networkCode?.slice(0, 3),
      mnc: networkCode?.slice(3) || undefined,
    },
    ported:
      ported === undefined || ported === 'unknown'
        ? undefined
        : ported.endsWith('ported') && !ported.includes('not'),
    roaming: roaming === undefined ? undefined : roaming === 'roaming',
    raw: body,
  }
}
