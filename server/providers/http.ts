/**
 * What the Infobip, Twilio and Vonage adapters share: one fetch wrapper that turns network trouble
 * into transient ProviderErrors, option checks, and the Web Crypto pieces for webhook signatures.
 * Web APIs only, so every adapter runs on Node and Workers alike.
 */
import { ConfigurationError } from '../core/errors.js'
import { ProviderError } from './types.js'
import { TIMEOUT_CODE } from './failover.js'

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

export interface ProviderResponse {
  status: number
  headers: Headers
  text: string
}

/** The global fetch, called unbound-safe (Workers refuse `fetch` detached from globalThis). */
export function defaultFetch(): FetchFunction {
  return (input, init) => globalThis.fetch(input, init)
}

/**
 * One HTTP exchange with a provider. Whatever goes wrong before a full answer arrives (refused
 * connection, reset, abort by the caller's time budget) is transient: another try or another provider
 * may succeed. Classifying the HTTP answer is the adapter's job.
 */
export async function requestProvider(
  provider: string,
  fetchImpl: FetchFunction,
  url: string,
  init: RequestInit,
): Promise<ProviderResponse> {
  const signal = init.signal ?? undefined
  try {
    const response = await fetchImpl(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  } catch (error) {
    if (signal?.aborted) {
      if (signal.reason instanceof ProviderError) throw signal.reason
      throw new ProviderError(
        'transient',
        provider,
        `${provider}: request aborted`,
        {
          providerCode: TIMEOUT_CODE,
        },
        { cause: error },
      )
    }
    const reason = error instanceof Error ? error.message : String(error)
    throw new ProviderError(
      'transient',
      provider,
      `${provider} could not be reached: ${reason}`,
      {
        providerCode: 'NETWORK_ERROR',
      },
      { cause: error },
    )
  }
}

/** Parses a provider's JSON answer; anything else is a malformed (transient) answer. */
export function parseJson(provider: string, response: ProviderResponse): unknown {
  try {
    return JSON.parse(response.text) as unknown
  } catch (error) {
    throw malformedResponse(provider, response.status, error)
  }
}

export function malformedResponse(provider: string, httpStatus: number, cause?: unknown): ProviderError {
  return new ProviderError(
    'transient',
    provider,
    `${provider} answered HTTP ${httpStatus} with a body it does not document`,
    { providerCode: 'MALFORMED_RESPONSE', httpStatus },
    { cause },
  )
}

/** 429 and 5xx: the provider asks us to come back later or is having trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined
  const field = value[key]
  if (typeof field === 'string') return field
  if (typeof field === 'number') return String(field)
  return undefined
}

/** `+41793026727` → `41793026727` (Infobip and Vonage want international digits, no `+`). */
export function internationalDigits(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164
}

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${toBase64(new TextEncoder().encode(`${user}:${password}`))}`
}

/** Adds a query parameter to a URL, keeping whatever query it has. */
export function withQueryParameter(url: string, name: string, value: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set(name, value)
  return parsed.toString()
}

// ---- option checks: a bad configuration fails at start-up with what to change ----

export function requireString(factory: string, name: string, value: unknown, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${factory}: "${name}" is required — ${hint}`)
  }
  return value.trim()
}

/** An absolute http(s) URL without a trailing slash, so paths can be appended. */
export function requireBaseUrl(factory: string, name: string, value: unknown, hint: string): string {
  const url = requireString(factory, name, value, hint)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigurationError(
      `${factory}: "${name}" must be an absolute URL like https://example.com, got "${url}"`,
    )
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigurationError(`${factory}: "${name}" must be an http(s) URL, got "${url}"`)
  }
  if (parsed.search || parsed.hash) {
    throw new ConfigurationError(`${factory}: "${name}" must not have a query or fragment, got "${url}"`)
  }
  return url.replace(/\/+$/, '')
}

export function optionalSecret(factory: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length < 16) {
    throw new ConfigurationError(`${factory}: "${name}" must be a random string of at least 16 characters`)
  }
  return value
}

// ---- Web Crypto ----

export type HmacHash = 'SHA-1' | 'SHA-256' | 'SHA-512'

export async function hmac(hash: HmacHash, key: string, data: string): Promise<Uint8Array> {
  const encoder = new TextEncoder()
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash }, false, [
    'sign',
  ])
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data)))
}

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** Compares two secrets or signatures without an early exit that would leak how much matched. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a)
  const right = new TextEncoder().encode(b)
  let difference = left.length ^ right.length
  for (let index = 0; index < left.length; index++)
    difference |= left[index]! ^ (right[index % right.length] ?? 0)
  return difference === 0
}

export function unauthorizedReport(provider: string, message: string): ProviderError {
  return new ProviderError('unauthorized', provider, message)
}

export function malformedReport(provider: string, message: string): ProviderError {
  return new ProviderError('malformed', provider, message)
}

/** The secret from `?token=` or from the password of a Basic `Authorization` header, if any. */
export function presentedReportSecret(request: Request): string | undefined {
  const token = new URL(request.url).searchParams.get('token')
  if (token) return token
  const authorization = request.headers.get('authorization')
  if (authorization?.startsWith('Basic ')) {
    try {
      const decoded = atob(authorization.slice(6).trim())
      const colon = decoded.indexOf(':')
      return colon >= 0 ? decoded.slice(colon + 1) : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}
