/**
 * A local Vonage: `POST /sms/json` (form with api_key/api_secret, or JSON with Basic auth — the
 * documented spec and the current SDK), always HTTP 200 with a per-message `status`, and Number
 * Insight `GET /ni/{level}/json`. Serve both from one fake (VONAGE_BASE_URL and `insightBaseUrl`).
 *
 * Receipts come as GET query, POST form or POST JSON, each optionally signed (`sig`, HMAC of the
 * sorted parameters, computed here with node:crypto independently of the adapter).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import {
  header,
  ScenarioQueue,
  sendJson,
  sendText,
  startHttpFake,
  type FakeReportOutcome,
  type FakeScenario,
  type RecordedRequest,
} from './http-fake.js'

export interface VonageFakeMessage {
  messageId: string
  /** As Vonage received it: digits, no `+`. */
  to: string
  from: string
  text: string
  type?: string
  clientRef?: string
  callback?: string
  ttl?: string
  at: number
}

export type VonageReceiptFormat = 'GET' | 'POST-form' | 'POST-json'

export interface VonageFake {
  url: string
  apiKey: string
  apiSecret: string
  messages: VonageFakeMessage[]
  lookups: string[]
  requests: RecordedRequest[]
  violations: string[]
  failNext(endpoint: 'send' | 'lookup', scenario: FakeScenario, times?: number): void
  /** Forces the next send answer to this per-message status code (e.g. '7' number barred). */
  nextSendStatus(status: string): void
  deliveryReport(
    messageId: string,
    outcome: FakeReportOutcome,
    options?: {
      forged?: boolean
      format?: VonageReceiptFormat
      signatureSecret?: string
      timestamp?: number
    },
  ): Request
  sendDeliveryReport(messageId: string, outcome: FakeReportOutcome): Promise<Response>
  close(): Promise<void>
}

/** Vonage's signature: sorted `&key=value` (with & and = in values as _), HMAC-SHA256, upper-case hex. */
export function signVonageParams(params: URLSearchParams, secret: string): string {
  const data = [...params.keys()]
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${(params.get(key) ?? '').replace(/[&=]/g, '_')}`)
    .join('')
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex').toUpperCase()
}

const RECEIPT: Record<FakeReportOutcome, [string, string]> = {
  delivered: ['delivered', '0'],
  sent: ['accepted', '0'],
  undeliverable: ['failed', '3'],
  failed: ['failed', '2'],
  expired: ['expired', '0'],
  rejected: ['rejected', '6'],
}

const ERROR_TEXT: Record<string, string> = {
  '1': 'Throttled',
  '3': 'Invalid to param',
  '4': 'Bad Credentials',
  '5': 'Internal Error',
  '6': 'Invalid Message',
  '7': 'Number barred.',
  '9': 'Quota Exceeded - rejected',
}

export async function startVonageFake(
  options: { apiKey?: string; apiSecret?: string } = {},
): Promise<VonageFake> {
  const apiKey = options.apiKey ?? 'abcd1234'
  const apiSecret = options.apiSecret ?? 'fakeSecret0123456'
  const messages: VonageFakeMessage[] = []
  const lookups: string[] = []
  const violations: string[] = []
  const scenarios = new ScenarioQueue<'send' | 'lookup'>()
  const forcedStatuses: string[] = []

  const refused = (response: ServerResponse, status: string) =>
    sendJson(response, 200, {
      'message-count': '1',
      messages: [{ status, 'error-text': ERROR_TEXT[status] ?? 'Error' }],
    })

  const http = await startHttpFake((request, response) => {
    if (request.method === 'POST' && request.path === '/sms/json') return handleSend(request, response)
    const insight = request.path.match(/^\/ni\/(basic|standard|advanced)\/json$/)
    if (request.method === 'GET' && insight) return handleLookup(request, response, insight[1]!)
    violations.push(`unexpected ${request.method} ${request.path}`)
    sendText(response, 404, 'Not Found')
  })

  function handleSend(request: RecordedRequest, response: ServerResponse): void {
    const contentType = header(request, 'content-type')
    let fields: URLSearchParams
    let credentials: [string | null, string | null]
    if (contentType.startsWith('application/json')) {
      const body = JSON.parse(request.body || '{}') as Record<string, unknown>
      fields = new URLSearchParams(Object.entries(body).map(([key, value]) => [key, String(value)]))
      const basic = Buffer.from(header(request, 'authorization').replace(/^Basic /, ''), 'base64').toString()
      credentials = [basic.split(':')[0] ?? null, basic.split(':').slice(1).join(':') || null]
    } else {
      if (!contentType.startsWith('application/x-www-form-urlencoded'))
        violations.push(`send: Content-Type ${contentType}`)
      fields = new URLSearchParams(request.body)
      credentials = [fields.get('api_key'), fields.get('api_secret')]
    }
    if (credentials[0] !== apiKey || credentials[1] !== apiSecret) {
      violations.push('send: wrong api_key / api_secret')
      return refused(response, '4')
    }
    const scenario = scenarios.take('send')
    switch (scenario) {
      case 'rate-limited':
        return refused(response, '1')
      case 'server-error':
        return sendText(response, 503, '<html><body>Service Unavailable</body></html>')
      case 'malformed':
        return sendText(response, 200, 'OK')
      case 'hang':
        return
      case 'invalid-number':
        return refused(response, '6')
      case 'account-error':
        return refused(response, '9')
    }
    const forced = forcedStatuses.shift()
    if (forced) return refused(response, forced)
    const to = fields.get('to') ?? ''
    const from = fields.get('from') ?? ''
    const text = fields.get('text') ?? ''
    if (!/^\d{7,15}$/.test(to)) {
      violations.push(`send: to must be digits without +, got ${JSON.stringify(to)}`)
      return refused(response, '3')
    }
    if (!from || !text) {
      violations.push('send: from or text missing')
      return sendJson(response, 200, {
        'message-count': '1',
        messages: [{ status: '2', 'error-text': `Missing ${from ? 'text' : 'from'} param` }],
      })
    }
    const messageId = randomBytes(8).toString('hex').toUpperCase()
    const clientRef = fields.get('client-ref') ?? undefined
    messages.push({
      messageId,
      to,
      from,
      text,
      type: fields.get('type') ?? undefined,
      clientRef,
      callback: fields.get('callback') ?? undefined,
      ttl: fields.get('ttl') ?? undefined,
      at: Date.now(),
    })
    sendJson(response, 200, {
      'message-count': '1',
      messages: [
        {
          to,
          'message-id': messageId,
          status: '0',
          'remaining-balance': '3.14159265',
          'message-price': '0.03330000',
          network: '23410',
          ...(clientRef ? { 'client-ref': clientRef } : {}),
        },
      ],
    })
  }

  function handleLookup(request: RecordedRequest, response: ServerResponse, level: string): void {
    if (request.query.get('api_key') !== apiKey || request.query.get('api_secret') !== apiSecret) {
      violations.push('lookup: wrong api_key / api_secret')
      return sendJson(response, 200, { status: 4, status_message: 'Invalid credentials' })
    }
    const scenario = scenarios.take('lookup')
    if (scenario === 'rate-limited')
      return sendJson(response, 200, { status: 1, status_message: 'Throttled' })
    if (scenario === 'server-error') return sendText(response, 500, 'Internal Server Error')
    if (scenario === 'malformed') return sendText(response, 200, '{"status":')
    if (scenario === 'hang') return
    const number = request.query.get('number') ?? ''
    lookups.push(number)
    const carrier = { network_code: '23410', name: 'Example UK', country: 'GB', network_type: 'mobile' }
    sendJson(response, 200, {
      status: 0,
      status_message: 'Success',
      request_id: randomUUID(),
      international_format_number: number,
      country_code: 'GB',
      current_carrier: carrier,
      original_carrier: carrier,
      ported: 'not_ported',
      ...(level === 'advanced'
        ? {
            roaming: { status: 'not_roaming' },
            lookup_outcome: 0,
            valid_number: 'valid',
            reachable: 'reachable',
          }
        : {}),
    })
  }

  function deliveryReport(
    messageId: string,
    outcome: FakeReportOutcome,
    reportOptions: {
      forged?: boolean
      format?: VonageReceiptFormat
      signatureSecret?: string
      timestamp?: number
    } = {},
  ): Request {
    const message = messages.find((candidate) => candidate.messageId === messageId)
    if (!message?.callback) throw new Error(`vonage fake: no sent message ${messageId} with a callback URL`)
    const [status, errorCode] = RECEIPT[outcome]
    const params = new URLSearchParams({
      msisdn: message.to,
      to: message.from,
      'network-code': '23410',
      messageId,
      price: '0.03330000',
      status,
      scts: '2601100900',
      'err-code': errorCode,
      'api-key': apiKey,
      'message-timestamp': '2026-01-10 09:00:05',
    })
    if (message.clientRef) params.set('client-ref', message.clientRef)
    const url = new URL(message.callback)
    if (reportOptions.signatureSecret) {
      params.set('timestamp', String(reportOptions.timestamp ?? Math.floor(Date.now() / 1000)))
      params.set('nonce', randomUUID())
      params.set(
        'sig',
        signVonageParams(
          params,
          reportOptions.forged ? 'not-the-signature-secret' : reportOptions.signatureSecret,
        ),
      )
    } else if (reportOptions.forged) {
      url.searchParams.set('token', 'forged-token-0123456789abcdef')
    }
    const format = reportOptions.format ?? 'POST-json'
    if (format === 'GET') {
      for (const [key, value] of params) url.searchParams.set(key, value)
      return new Request(url, { method: 'GET' })
    }
    return format === 'POST-form'
      ? new Request(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
        })
      : new Request(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(Object.fromEntries(params)),
        })
  }

  return {
    url: http.url,
    apiKey,
    apiSecret,
    messages,
    lookups,
    requests: http.requests,
    violations,
    failNext: (endpoint, scenario, times) => scenarios.push(endpoint, scenario, times),
    nextSendStatus: (status) => forcedStatuses.push(status),
    deliveryReport,
    sendDeliveryReport: (messageId, outcome) => fetch(deliveryReport(messageId, outcome)),
    close: http.close,
  }
}
