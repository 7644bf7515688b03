/**
 * Twilio: Messages API (form-encoded, HTTP Basic), Lookup v2 with line type intelligence, and status
 * callbacks authenticated by `X-Twilio-Signature` (HMAC-SHA1 with the auth token over the full
 * callback URL followed by the sorted POST parameters, base64).
 */
import { ConfigurationError } from '../core/errors.js'
import { ProviderAccountError } from './failover.js'
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
import type { DeliveryStatus } from '../stores/types.js'
import {
  basicAuthorization,
  defaultFetch,
  hmac,
  isRecord,
  isRetryableStatus,
  malformedReport,
  malformedResponse,
  parseJson,
  requestProvider,
  requireBaseUrl,
  requireString,
  stringField,
  timingSafeEqual,
  toBase64,
  unauthorizedReport,
  type FetchFunction,
  type ProviderResponse,
} from './http.js'

export interface TwilioProviderOptions {
  /** `AC` followed by 32 hex digits, from the Twilio console. */
  accountSid: string
  /** The account's auth token: it authenticates our requests and signs Twilio's status callbacks. */
  authToken: string
  /** Sender: a Twilio number in E.164, a short code or an alphanumeric id. Give this or `messagingServiceSid`. */
  from?: string
  /** `MG…`: Twilio picks the sender from the service's pool. Give this or `from`. */
  messagingServiceSid?: string
  /** @default 'https://api.twilio.com' */
  baseUrl?: string
  /** @default 'https://lookups.twilio.com' */
  lookupBaseUrl?: string
  /**
   * Offer Lookup v2 line type intelligence (paid per query). Used only when you choose Twilio for lookups.
   * @default true
   */
  lookup?: boolean
  /** @default globalThis.fetch */
  fetch?: FetchFunction
  /** @default 'twilio' */
  name?: string
}

// Twilio keeps a message in its queue at most 10 hours.
const MAX_VALIDITY_SECONDS = 36_000

// Error codes about the recipient (invalid 'To', unsubscribed, unreachable, not a mobile, landline):
// another provider can't do better. https://www.twilio.com/docs/api/errors
const RECIPIENT_CODES = new Set(['21211', '21610', '21612', '21614', '21635'])
// 21611: this sender's queue is full — later (or elsewhere) may work.
const TRANSIENT_CODES = new Set(['20429', '21611'])

const LINE_TYPES: Record<string, LineType> = {
  mobile: 'mobile',
  landline: 'landline',
  fixedVoip: 'voip',
  nonFixedVoip: 'voip',
  personal: 'personal',
  tollFree: 'toll_free',
  premium: 'premium',
  sharedCost: 'shared_cost',
  uan: 'uan',
  voicemail: 'voicemail',
  pager: 'pager',
  unknown: 'unknown',
}

export function twilioProvider(options: TwilioProviderOptions): SmsProvider {
  const factory = 'twilioProvider'
  const accountSid = requireString(
    factory,
    'accountSid',
    options.accountSid,
    'copy the Account SID from the Twilio console',
  )
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new ConfigurationError(
      `${factory}: "accountSid" must be "AC" followed by 32 hex digits, got "${accountSid}"`,
    )
  }
  const authToken = requireString(
    factory,
    'authToken',
    options.authToken,
    'copy the Auth Token from the Twilio console',
  )
  const from = options.from?.trim() || undefined
  const messagingServiceSid = options.messagingServiceSid?.trim() || undefined
  if (!from && !messagingServiceSid) {
    throw new ConfigurationError(
      `${factory}: pass "from" (a Twilio number or sender id) or "messagingServiceSid"`,
    )
  }
  if (messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) {
    throw new ConfigurationError(`${factory}: "messagingServiceSid" must be "MG" followed by 32 hex digits`)
  }
  const baseUrl = requireBaseUrl(
    factory,
    'baseUrl',
    options.baseUrl ?? 'https://api.twilio.com',
    'or leave it out',
  )
  const lookupBaseUrl = requireBaseUrl(
    factory,
    'lookupBaseUrl',
    options.lookupBaseUrl ?? 'https://lookups.twilio.com',
    'or leave it out',
  )
  const fetchImpl = options.fetch ?? defaultFetch()
  const name = options.name ?? 'twilio'
  const authorization = basicAuthorization(accountSid, authToken)

  async function send(message: SmsMessage, callOptions: CallOptions = {}): Promise<SendResult> {
    const form = new URLSearchParams({ To: message.to })
    const sender = message.from ?? from
    if (messagingServiceSid) form.set('MessagingServiceSid', messagingServiceSid)
    if (sender) form.set('From', sender)
    form.set('Body', message.text)
    // Twilio echoes nothing of ours; callbacks carry MessageSid, which `send` returns.
    if (message.deliveryReportUrl) form.set('StatusCallback', message.deliveryReportUrl)
    if (message.validitySeconds !== undefined) {
      const seconds = Math.min(MAX_VALIDITY_SECONDS, Math.max(1, Math.ceil(message.validitySeconds)))
      form.set('ValidityPeriod', String(seconds))
    }
    const response = await requestProvider(
      name,
      fetchImpl,
      `${baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json`,
      {
        method: 'POST',
        headers: {
          Authorization: authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form.toString(),
        signal: callOptions.signal,
      },
    )
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const body = parseJson(name, response)
    const messageId = stringField(body, 'sid')
    const status = stringField(body, 'status')
    if (!messageId || !status) throw malformedResponse(name, response.status)
    const mapped = twilioDeliveryStatus(status, stringField(body, 'error_code'))
    if (mapped === undefined) throw malformedResponse(name, response.status)
    if (mapped !== 'ACCEPTED' && mapped !== 'SENT' && mapped !== 'DELIVERED') {
      const details = { providerCode: stringField(body, 'error_code') ?? status, httpStatus: response.status }
      const text = `${name} reported the new message as ${status}`
      if (mapped === 'UNDELIVERABLE') throw new ProviderError('permanent', name, text, details)
      if (mapped === 'REJECTED') throw new ProviderAccountError(name, text, details)
      throw new ProviderError('transient', name, text, details)
    }
    return { messageId, status: mapped, provider: name }
  }

  async function lookup(phoneNumber: string, callOptions: CallOptions = {}): Promise<LookupResult> {
    const url = `${lookupBaseUrl}/v2/PhoneNumbers/${encodeURIComponent(phoneNumber)}?Fields=line_type_intelligence`
    const response = await requestProvider(name, fetchImpl, url, {
      method: 'GET',
      headers: { Authorization: authorization, Accept: 'application/json' },
      signal: callOptions.signal,
    })
    if (response.status < 200 || response.status >= 300) throw httpError(name, response)
    const body = parseJson(name, response)
    if (!isRecord(body) || typeof body.valid !== 'boolean') throw malformedResponse(name, response.status)
    const intelligence = isRecord(body.line_type_intelligence) ? body.line_type_intelligence : undefined
    const type = stringField(intelligence, 'type')
    return {
      valid: body.valid,
      // Line type intelligence says what a number is, not whether the handset is on.
      reachable: undefined,
      lineType: (type && LINE_TYPES[type]) || 'unknown',
      network: {
        name: stringField(intelligence, 'carrier_name'),
        mcc: stringField(intelligence, 'mobile_country_code'),
        mnc: stringField(intelligence, 'mobile_network_code'),
      },
      raw: body,
    }
  }

  async function parseDeliveryReports(request: Request, context: { url: string }): Promise<DeliveryReport[]> {
    const signature = request.headers.get('x-twilio-signature')
    if (!signature) throw unauthorizedReport(name, `${name}: status callback without X-Twilio-Signature`)
    const contentType = request.headers.get('content-type') ?? ''
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw malformedReport(name, `${name}: status callbacks are form-encoded, got "${contentType}"`)
    }
    const params = new URLSearchParams(await request.text())
    if (!(await isValidTwilioSignature(authToken, context.url, params, signature))) {
      throw unauthorizedReport(name, `${name}: X-Twilio-Signature does not match`)
    }
    const messageId = params.get('MessageSid') ?? params.get('SmsSid')
    const providerStatus = params.get('MessageStatus') ?? params.get('SmsStatus')
    const errorCode = params.get('ErrorCode') || undefined
    const status = providerStatus ? twilioDeliveryStatus(providerStatus, errorCode) : undefined
    if (!messageId || !providerStatus || !status) {
      throw malformedReport(name, `${name}: status callback without MessageSid or a known MessageStatus`)
    }
    return [{ messageId, status, providerStatus, providerErrorCode: errorCode }]
  }

  return options.lookup === false
    ? { name, send, parseDeliveryReports }
    : { name, send, lookup, parseDeliveryReports }
}

/** Twilio MessageStatus (+ ErrorCode) → the kit's vocabulary; undefined for statuses of inbound messages. */
export function twilioDeliveryStatus(status: string, errorCode?: string): DeliveryStatus | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'ACCEPTED'
    case 'sent':
    case 'partially_delivered':
      return 'SENT'
    case 'delivered':
    case 'read':
      return 'DELIVERED'
    case 'undelivered':
      if (errorCode === '30004' || errorCode === '30005' || errorCode === '30006') return 'UNDELIVERABLE'
      if (errorCode === '30007') return 'REJECTED'
      return 'FAILED'
    case 'failed':
      if (errorCode === '30036') return 'EXPIRED'
      if (errorCode === '30001') return 'FAILED'
      return 'REJECTED'
    case 'canceled':
      return 'REJECTED'
    default:
      return undefined
  }
}

/**
 * The documented check: HMAC-SHA1(auth token, URL + each POST parameter as name+value, sorted by
 * name), base64. Like twilio-node, the URL is tried as given, and with and without its default port,
 * because proxies and frameworks disagree about showing `:443`.
 */
export async function isValidTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string,
): Promise<boolean> {
  let valid = false
  for (const candidate of urlVariants(url)) {
    const expected = await twilioSignature(authToken, candidate, params)
    // No early exit: every candidate is computed and compared.
    if (timingSafeEqual(expected, signature)) valid = true
  }
  return valid
}

export async function twilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
): Promise<string> {
  const names = [...new Set(params.keys())].sort()
  let data = url
  for (const key of names) {
    for (const value of [...new Set(params.getAll(key))].sort()) data += key + value
  }
  return toBase64(await hmac('SHA-1', authToken, data))
}

function urlVariants(url: string): string[] {
  const variants = new Set([url])
  try {
    const parsed = new URL(url)
    const rest = `${parsed.pathname}${parsed.search}`
    variants.add(`${parsed.protocol}//${parsed.host}${rest}`)
    if (!parsed.port) {
      const defaultPort = parsed.protocol === 'https:' ? 443 : 80
      variants.add(`${parsed.protocol}//${parsed.hostname}:${defaultPort}${rest}`)
    }
  } catch {
    // Not a URL: only the string as given can match.
  }
  return [...variants]
}

/** Twilio's error JSON `{code, message, more_info, status}`: the recipient, a passing problem, or our account. */
function httpError(provider: string, response: ProviderResponse): ProviderError {
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    body = undefined
  }
  const code = stringField(body, 'code') ?? `HTTP_${response.status}`
  const text = stringField(body, 'message') ?? 'no message'
  const details = { providerCode: code, httpStatus: response.status }
  const message = `${provider} answered HTTP ${response.status} (${code}): ${text}`
  if (isRetryableStatus(response.status) || TRANSIENT_CODES.has(code)) {
    return new ProviderError('transient', provider, message, details)
  }
  if (RECIPIENT_CODES.has(code)) return new ProviderError('permanent', provider, message, details)
  if (response.status >= 400) return new ProviderAccountError(provider, message, details)
  return malformedResponse(provider, response.status)
}
