/**
 * Test double for the kit's HTTP API, installed as `fetch` in the browser: the widget's unit
 * boundary. Routes answer as the contract says (the real server is exercised by test/e2e);
 * `/metadata.json` comes from the real `widgetRoutes`, so the widget gets what it will get in
 * production. Any answer can be replaced once with `replyOnce`.
 */
import { vi } from 'vitest'
import { widgetRoutes } from '../../server/http/widget-routes.js'
import type { PinType, WidgetConfig } from '../api-client.js'

export interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export interface RecordedRequest {
  method: string
  path: string
  body: Record<string, unknown> | undefined
}

export const RIGHT_PIN = '123456'

/** A JWT-shaped token whose payload carries `phone_number`, as the kit's tokens do. */
export function fakeToken(phoneNumber: string): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return `${encode({ alg: 'ES256' })}.${encode({ phone_number: phoneNumber, sub: phoneNumber })}.c2lnbmF0dXJl`
}

export function refusal(
  status: number,
  code: string,
  details: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Reply {
  return {
    status,
    body: { error: { code, message: `${code} (test)`, ...details } },
    ...(headers ? { headers } : {}),
  }
}

export interface FakeApiOptions {
  allowedCountries?: string[] | null
  pinType?: PinType
  pinLength?: number
  /** Seconds until a resend is allowed, per send. */
  resendCooldown?: number
  attempts?: number
  /** The security check `/config` asks for; none by default. */
  captcha?: WidgetConfig['captcha']
  /** Seconds a token lives (the server's `tokenTimeToLive`). @default 300 */
  tokenTimeToLive?: number
  /** The server's `allowMultiplePinVerifications`: a verified PIN stays usable until it expires. */
  allowMultiplePinVerifications?: boolean
}

export function installFakeApi(options: FakeApiOptions = {}) {
  const config: WidgetConfig = {
    pinLength: options.pinLength ?? 6,
    pinType: options.pinType ?? 'NUMERIC',
    pinTimeToLive: 600,
    resendCooldown: options.resendCooldown ?? 30,
    allowedCountries:
      options.allowedCountries === undefined ? ['HR', 'DE', 'GB', 'US', 'FR'] : options.allowedCountries,
    language: 'en',
    captcha: options.captcha ?? null,
  }
  const assets = widgetRoutes({
    loadScript: async () => undefined,
    version: 'test',
    allowedCountries: config.allowedCountries,
  })
  const requests: RecordedRequest[] = []
  const once = new Map<string, Reply[]>()
  let attemptsRemaining = options.attempts ?? 3
  let phoneNumber = ''
  let pins = 0
  /** PINs verified once: single use (the server's default), they are gone as if unknown. */
  const verified = new Set<string>()

  const session = () => ({
    pinId: `pin${pins}`,
    to: `+${phoneNumber.slice(1, 4)} •• ••• ••${phoneNumber.slice(-2)}`,
    expiresAt: new Date(Date.now() + config.pinTimeToLive * 1000).toISOString(),
    resendAvailableAt: new Date(Date.now() + config.resendCooldown * 1000).toISOString(),
    attemptsRemaining,
  })

  function answer(method: string, path: string, body: Record<string, unknown> | undefined): Reply {
    const key = `${method} ${path.replace(/\/pin\/[^/]+/, '/pin/:id')}`
    const queued = once.get(key)?.shift()
    if (queued) return queued
    const pinId = path.split('/')[2] ?? ''
    if (key.includes(':id') && verified.has(pinId) && !options.allowMultiplePinVerifications) {
      return refusal(404, 'PIN_NOT_FOUND')
    }
    switch (key) {
      case 'GET /config':
        return { status: 200, body: config }
      case 'POST /pin':
        phoneNumber = String(body?.phoneNumber)
        attemptsRemaining = options.attempts ?? 3
        pins++
        return { status: 201, body: session() }
      case 'POST /pin/:id/resend':
        return { status: 200, body: session() }
      case 'GET /pin/:id': {
        const status = verified.has(pinId) ? 'VERIFIED' : 'SENT'
        return { status: 200, body: { ...session(), status, deliveryStatus: 'SENT' } }
      }
      case 'POST /pin/:id/verify':
        if (body?.pin === RIGHT_PIN) {
          verified.add(pinId)
          const expiresAt = new Date(Date.now() + (options.tokenTimeToLive ?? 300) * 1000).toISOString()
          return { status: 200, body: { verified: true, token: fakeToken(phoneNumber), expiresAt } }
        }
        attemptsRemaining--
        return refusal(422, 'WRONG_PIN', { attemptsRemaining })
      default:
        return refusal(404, 'NOT_FOUND')
    }
  }

  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input), location.href)
    // Every fixture mounts the widget at its own endpoint (/t1, /t2…): strip it.
    const path = url.pathname.replace(/^\/[^/]+/, '')
    if (path === '/metadata.json') return assets.request(path)
    const method = init?.method ?? 'GET'
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined
    requests.push({ method, path, body })
    const reply = answer(method, path, body)
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    })
  })
  vi.stubGlobal('fetch', fetchStub)

  return {
    config,
    requests,
    /** Replaces the next answer of `route` (e.g. `POST /pin/:id/verify`). */
    replyOnce(route: string, reply: Reply) {
      once.set(route, [...(once.get(route) ?? []), reply])
    },
    requestsTo(route: string) {
      return requests.filter(
        (request) => `${request.method} ${request.path.replace(/\/pin\/[^/]+/, '/pin/:id')}` === route,
      )
    },
  }
}

export type FakeApi = ReturnType<typeof installFakeApi>
