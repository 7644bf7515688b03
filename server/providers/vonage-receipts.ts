/**
 * Vonage delivery receipts: read them whichever way the account sends them (GET query, POST form,
 * POST JSON), authenticate them (signed webhooks, or our secret token in the callback URL) and map
 * their statuses onto the kit's vocabulary. Used by `vonageProvider`.
 */
import type { DeliveryReport } from './types.js'
import type { DeliveryStatus } from '../stores/types.js'
import {
  hmac,
  isRecord,
  malformedReport,
  timingSafeEqual,
  toHex,
  unauthorizedReport,
  type HmacHash,
} from './http.js'

export type VonageSignatureMethod = 'sha1hmac' | 'sha256hmac' | 'sha512hmac'

/** The signature methods Web Crypto can check (it has no MD5). */
export const VONAGE_SIGNATURE_HASHES: Record<VonageSignatureMethod, HmacHash> = {
  sha1hmac: 'SHA-1',
  sha256hmac: 'SHA-256',
  sha512hmac: 'SHA-512',
}

export interface VonageReceiptAuthentication {
  signatureSecret?: string
  signatureMethod: VonageSignatureMethod
  signatureMaxAgeSeconds: number
  reportSecret?: string
  clock: () => number
}

export async function readVonageReceipt(
  provider: string,
  request: Request,
  auth: VonageReceiptAuthentication,
): Promise<DeliveryReport[]> {
  const params = await receiptParameters(provider, request)
  if (auth.signatureSecret) {
    const sig = params.get('sig')
    const timestamp = Number(params.get('timestamp'))
    if (!sig) throw unauthorizedReport(provider, `${provider}: delivery receipt without "sig"`)
    const expected = await vonageSignature(params, auth.signatureSecret, auth.signatureMethod)
    if (!timingSafeEqual(expected.toLowerCase(), sig.toLowerCase())) {
      throw unauthorizedReport(provider, `${provider}: delivery receipt signature does not match`)
    }
    if (
      !Number.isFinite(timestamp) ||
      Math.abs(auth.clock() / 1000 - timestamp) > auth.signatureMaxAgeSeconds
    ) {
      throw unauthorizedReport(provider, `${provider}: signed delivery receipt is too old (replay?)`)
    }
  } else if (auth.reportSecret) {
    const token = params.get('token')
    if (!token || !timingSafeEqual(token, auth.reportSecret)) {
      throw unauthorizedReport(provider, `${provider}: delivery receipt without the configured secret`)
    }
  } else {
    throw unauthorizedReport(
      provider,
      `${provider}: set "signatureSecret" or "deliveryReportSecret" to accept receipts`,
    )
  }
  const messageId = params.get('messageId')
  const providerStatus = params.get('status')
  const errorCode = params.get('err-code') ?? undefined
  const status = providerStatus ? vonageDeliveryStatus(providerStatus, errorCode) : undefined
  if (!messageId || !providerStatus || !status) {
    throw malformedReport(provider, `${provider}: delivery receipt without messageId or a known status`)
  }
  return [{ messageId, status, providerStatus, providerErrorCode: errorCode }]
}

/** Vonage receipt `status` (+ `err-code`) → the kit's `DeliveryStatus`; undefined when unknown. */
export function vonageDeliveryStatus(status: string, errorCode?: string): DeliveryStatus | undefined {
  const code = errorCode ?? ''
  switch (status) {
    case 'delivered':
      return 'DELIVERED'
    case 'expired':
      return 'EXPIRED'
    case 'accepted':
    case 'buffered':
    case 'unknown':
      return 'SENT'
    case 'failed':
      if (['3', '4', '5', '9', '13', '14', '15'].includes(code)) return 'UNDELIVERABLE'
      if (['6', '10', '11', '99'].includes(code)) return 'REJECTED'
      return 'FAILED'
    case 'rejected':
      return ['1', '3', '4', '5', '9', '13', '14', '15'].includes(code) ? 'UNDELIVERABLE' : 'REJECTED'
    default:
      return undefined
  }
}

/**
 * Vonage's webhook signature (as `SMS.verifySignature` in its Node SDK): every parameter but `sig`,
 * sorted by name, as `&name=value` with `&` and `=` inside values turned into `_`, HMAC'd, hex.
 */
export async function vonageSignature(
  params: URLSearchParams,
  secret: string,
  method: VonageSignatureMethod,
): Promise<string> {
  const names = [...new Set(params.keys())].filter((key) => key !== 'sig').sort()
  let data = ''
  for (const key of names) data += `&${key}=${(params.get(key) ?? '').replace(/[&=]/g, '_')}`
  return toHex(await hmac(VONAGE_SIGNATURE_HASHES[method], secret, data))
}

// The query string and the body together, whichever of GET / POST form / POST JSON the account uses.
export async function receiptParameters(provider: string, request: Request): Promise<URLSearchParams> {
  const params = new URLSearchParams(new URL(request.url).search)
  if (request.method === 'GET' || request.method === 'HEAD') return params
  const contentType = (request.headers.get('content-type') ?? '').toLowerCase()
  const text = await request.text()
  if (contentType.startsWith('application/json')) {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw malformedReport(provider, `${provider}: delivery receipt body is not JSON`)
    }
    if (!isRecord(body)) throw malformedReport(provider, `${provider}: delivery receipt is not a JSON object`)
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' || typeof value === 'number') params.set(key, String(value))
    }
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(text)) params.set(key, value)
  } else if (text.trim() !== '') {
    throw malformedReport(provider, `${provider}: unexpected delivery receipt content type "${contentType}"`)
  }
  return params
}
