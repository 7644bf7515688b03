/**
 * A local Infobip: `POST /sms/3/messages` and `POST /number/1/query`, with the documented auth,
 * request shape, answers, status objects and both error shapes (ApiError for SMS v3,
 * requestError.serviceException for Number Lookup). It refuses what the real service refuses and
 * records anything that breaks the contract in `violations`, so tests can assert there is none.
 *
 * For end-to-end runs: `INFOBIP_BASE_URL=<fake.url> INFOBIP_API_KEY=<fake.apiKey>`, then read
 * `fake.messages` and trigger `fake.sendDeliveryReport(messageId, 'delivered')`.
 */
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

export interface InfobipFakeMessage {
  /** As Infobip received it: international digits, no `+`. */
  to: string
  text: string
  sender?: string
  messageId: string
  callbackData?: string
  deliveryUrl?: string
  validityPeriod?: { amount: number; timeUnit?: string }
  at: number
}

export type InfobipNumberState = 'reachable' | 'roaming' | 'ported' | 'absent' | 'unknown-subscriber'

export interface InfobipFake {
  url: string
  apiKey: string
  messages: InfobipFakeMessage[]
  lookups: string[]
  requests: RecordedRequest[]
  /** Contract breaches seen (wrong auth, content type, `+` in numbers …). */
  violations: string[]
  /** Number Lookup answer per number (digits); default 'reachable'. */
  numbers: Map<string, InfobipNumberState>
  failNext(endpoint: 'send' | 'lookup', scenario: FakeScenario, times?: number): void
  /** The delivery report Infobip would POST for a sent message, as a Request (to the message's webhook URL). */
  deliveryReport(messageId: string, outcome: FakeReportOutcome, options?: { forged?: boolean }): Request
  /** Posts that report to the webhook URL, as Infobip does. */
  sendDeliveryReport(messageId: string, outcome: FakeReportOutcome): Promise<Response>
  close(): Promise<void>
}

const STATUS = {
  PENDING_ACCEPTED: {
    groupId: 1,
    groupName: 'PENDING',
    id: 26,
    name: 'PENDING_ACCEPTED',
    description: 'Message sent to next instance',
  },
  DELIVERED_TO_HANDSET: {
    groupId: 3,
    groupName: 'DELIVERED',
    id: 5,
    name: 'DELIVERED_TO_HANDSET',
    description: 'Message delivered to handset',
  },
  DELIVERED_TO_OPERATOR: {
    groupId: 3,
    groupName: 'DELIVERED',
    id: 2,
    name: 'DELIVERED_TO_OPERATOR',
    description: 'Message delivered to operator',
  },
  UNDELIVERABLE_NOT_DELIVERED: {
    groupId: 2,
    groupName: 'UNDELIVERABLE',
    id: 9,
    name: 'UNDELIVERABLE_NOT_DELIVERED',
    description: 'Message sent not delivered',
  },
  EXPIRED_EXPIRED: {
    groupId: 4,
    groupName: 'EXPIRED',
    id: 15,
    name: 'EXPIRED_EXPIRED',
    description: 'Message expired',
  },
  REJECTED_NETWORK: {
    groupId: 5,
    groupName: 'REJECTED',
    id: 6,
    name: 'REJECTED_NETWORK',
    description: 'Network is forbidden',
  },
  REJECTED_DESTINATION: {
    groupId: 5,
    groupName: 'REJECTED',
    id: 52,
    name: 'REJECTED_DESTINATION',
    description: 'Invalid destination address.',
  },
  REJECTED_NOT_ENOUGH_CREDITS: {
    groupId: 5,
    groupName: 'REJECTED',
    id: 12,
    name: 'REJECTED_NOT_ENOUGH_CREDITS',
    description: 'Not enough credits',
  },
  REJECTED_DUPLICATE_MESSAGE_ID: {
    groupId: 5,
    groupName: 'REJECTED',
    id: 23,
    name: 'REJECTED_DUPLICATE_MESSAGE_ID',
    description: 'Duplicate message id',
  },
}
const NO_ERROR = {
  groupId: 0,
  groupName: 'OK',
  id: 0,
  name: 'NO_ERROR',
  description: 'No Error',
  permanent: false,
}
const UNKNOWN_SUBSCRIBER = {
  groupId: 1,
  groupName: 'HANDSET_ERRORS',
  id: 1,
  name: 'EC_UNKNOWN_SUBSCRIBER',
  description: 'Unknown Subscriber',
  permanent: true,
}
const ABSENT_SUBSCRIBER = {
  groupId: 1,
  groupName: 'HANDSET_ERRORS',
  id: 27,
  name: 'EC_ABSENT_SUBSCRIBER',
  description: 'Absent Subscriber',
  permanent: false,
}

const SWISSCOM = {
  networkName: 'Swisscom',
  networkPrefix: '79',
  countryName: 'Switzerland',
  countryPrefix: '41',
  networkId: 123,
}
const TELE2 = {
  networkName: 'Tele2',
  networkPrefix: '739',
  countryName: 'Sweden',
  countryPrefix: '46',
  networkId: 456,
}

function apiError(errorCode: string, description: string, action: string, violations: unknown[] = []) {
  return { errorCode, description, action, violations, resources: [] }
}

function serviceException(messageId: string, text: string) {
  return { requestError: { serviceException: { messageId, text } } }
}

export async function startInfobipFake(options: { apiKey?: string } = {}): Promise<InfobipFake> {
  const apiKey = options.apiKey ?? 'fake-infobip-api-key-0123456789abcdef'
  const messages: InfobipFakeMessage[] = []
  const lookups: string[] = []
  const violations: string[] = []
  const numbers = new Map<string, InfobipNumberState>()
  const scenarios = new ScenarioQueue<'send' | 'lookup'>()
  let generatedIds = 0

  // Auth and content type, as the real API checks them; returns false when it has answered.
  function admit(request: RecordedRequest, response: ServerResponse, legacyErrors: boolean): boolean {
    if (header(request, 'authorization') !== `App ${apiKey}`) {
      violations.push(`${request.path}: Authorization is not "App <apiKey>"`)
      sendJson(
        response,
        401,
        legacyErrors
          ? serviceException('UNAUTHORIZED', 'Invalid login details')
          : apiError('E401', 'Unauthorized.', 'Check the API key.'),
      )
      return false
    }
    if (!header(request, 'content-type').startsWith('application/json'))
      violations.push(`${request.path}: Content-Type is not JSON`)
    if (!header(request, 'accept').includes('application/json'))
      violations.push(`${request.path}: Accept is not JSON`)
    return true
  }

  // Failures shared by both endpoints; returns true when it has answered (or decided to hang).
  function scripted(
    scenario: FakeScenario | undefined,
    response: ServerResponse,
    legacyErrors: boolean,
  ): boolean {
    switch (scenario) {
      case 'rate-limited':
        sendJson(
          response,
          429,
          legacyErrors
            ? serviceException('TOO_MANY_REQUESTS', 'Too many requests')
            : apiError('E429', 'Too many requests sent.', 'Slow down.'),
        )
        return true
      case 'server-error':
        sendJson(
          response,
          500,
          legacyErrors
            ? serviceException('GENERAL_ERROR', 'Something went wrong. Please contact support.')
            : apiError('E500', 'Something went wrong.', 'Contact support.'),
        )
        return true
      case 'malformed':
        sendText(response, 200, '<html><body>502 Bad Gateway</body></html>')
        return true
      case 'hang':
        return true
      default:
        return false
    }
  }

  const http = await startHttpFake((request, response) => {
    if (request.method === 'POST' && request.path === '/sms/3/messages') return handleSend(request, response)
    if (request.method === 'POST' && request.path === '/number/1/query')
      return handleLookup(request, response)
    violations.push(`unexpected ${request.method} ${request.path}`)
    sendJson(response, 404, apiError('E404', 'Not found.', 'Check the URL.'))
  })

  function handleSend(request: RecordedRequest, response: ServerResponse): void {
    if (!admit(request, response, false)) return
    const scenario = scenarios.take('send')
    if (scripted(scenario, response, false)) return
    let body: any
    try {
      body = JSON.parse(request.body)
    } catch {
      violations.push('send: body is not JSON')
      return sendJson(response, 400, apiError('E400', 'Request cannot be processed.', 'Check the syntax.'))
    }
    const entry = body?.messages?.[0]
    const destination = entry?.destinations?.[0]
    const to: unknown = destination?.to
    if (typeof to !== 'string' || !/^\d{7,15}$/.test(to)) {
      violations.push(
        `send: destinations[0].to must be international digits without +, got ${JSON.stringify(to)}`,
      )
      return sendJson(
        response,
        400,
        apiError(
          'E400',
          'Request cannot be processed.',
          'Check the syntax, violations and adjust the request.',
          [{ property: 'messages[0].destinations[0].to', violation: 'must be a valid international number' }],
        ),
      )
    }
    if (typeof entry?.content?.text !== 'string' || entry.content.text === '') {
      violations.push('send: content.text missing')
      return sendJson(
        response,
        400,
        apiError('E400', 'Request cannot be processed.', 'Check the syntax.', [
          { property: 'messages[0].content.text', violation: 'must not be blank' },
        ]),
      )
    }
    const messageId: string = destination.messageId ?? `fake-ib-${++generatedIds}`
    const reply = (status: object) =>
      sendJson(response, 200, {
        bulkId: `bulk-${messageId}`,
        messages: [{ messageId, status, destination: to, details: { messageCount: 1 } }],
      })
    if (scenario === 'invalid-number') return reply(STATUS.REJECTED_DESTINATION)
    if (scenario === 'account-error') return reply(STATUS.REJECTED_NOT_ENOUGH_CREDITS)
    if (messages.some((message) => message.messageId === messageId))
      return reply(STATUS.REJECTED_DUPLICATE_MESSAGE_ID)
    messages.push({
      to,
      text: entry.content.text,
      sender: entry.sender,
      messageId,
      callbackData: entry.webhooks?.callbackData,
      deliveryUrl: entry.webhooks?.delivery?.url,
      validityPeriod: entry.options?.validityPeriod,
      at: Date.now(),
    })
    reply(STATUS.PENDING_ACCEPTED)
  }

  function handleLookup(request: RecordedRequest, response: ServerResponse): void {
    if (!admit(request, response, true)) return
    const scenario = scenarios.take('lookup')
    if (scripted(scenario, response, true)) return
    let to: unknown
    try {
      to = JSON.parse(request.body)?.to?.[0]
    } catch {
      to = undefined
    }
    if (typeof to !== 'string' || !/^\d{7,15}$/.test(to)) {
      violations.push(`lookup: to[0] must be international digits without +, got ${JSON.stringify(to)}`)
      return sendJson(response, 400, {
        requestError: {
          serviceException: {
            messageId: 'BAD_REQUEST',
            text: 'Bad request',
            validationErrors: { 'to[0]': ['invalid number'] },
          },
        },
      })
    }
    lookups.push(to)
    const state = numbers.get(to) ?? 'reachable'
    const base = {
      to,
      mccMnc: '22801',
      imsi: '228011234567890',
      originalNetwork: SWISSCOM,
      ported: false,
      roaming: false,
      servingMSC: '41794990000',
    }
    const result =
      state === 'unknown-subscriber'
        ? {
            to,
            mccMnc: '22801',
            ported: false,
            roaming: false,
            originalNetwork: SWISSCOM,
            status: STATUS.UNDELIVERABLE_NOT_DELIVERED,
            error: UNKNOWN_SUBSCRIBER,
          }
        : state === 'absent'
          ? { ...base, status: STATUS.UNDELIVERABLE_NOT_DELIVERED, error: ABSENT_SUBSCRIBER }
          : state === 'roaming'
            ? {
                ...base,
                roaming: true,
                roamingNetwork: TELE2,
                status: STATUS.DELIVERED_TO_HANDSET,
                error: NO_ERROR,
              }
            : state === 'ported'
              ? {
                  ...base,
                  mccMnc: '24007',
                  ported: true,
                  portedNetwork: TELE2,
                  status: STATUS.DELIVERED_TO_HANDSET,
                  error: NO_ERROR,
                }
              : { ...base, status: STATUS.DELIVERED_TO_HANDSET, error: { ...NO_ERROR, groupName: 'Ok' } }
    sendJson(response, 200, { bulkId: `nl-${lookups.length}`, results: [result] })
  }

  function deliveryReport(
    messageId: string,
    outcome: FakeReportOutcome,
    reportOptions: { forged?: boolean } = {},
  ): Request {
    const message = messages.find((candidate) => candidate.messageId === messageId)
    if (!message?.deliveryUrl)
      throw new Error(`infobip fake: no sent message ${messageId} with a webhook URL`)
    const [status, error] = {
      delivered: [STATUS.DELIVERED_TO_HANDSET, NO_ERROR],
      sent: [STATUS.DELIVERED_TO_OPERATOR, NO_ERROR],
      undeliverable: [STATUS.UNDELIVERABLE_NOT_DELIVERED, UNKNOWN_SUBSCRIBER],
      failed: [STATUS.UNDELIVERABLE_NOT_DELIVERED, ABSENT_SUBSCRIBER],
      expired: [STATUS.EXPIRED_EXPIRED, NO_ERROR],
      rejected: [STATUS.REJECTED_NETWORK, NO_ERROR],
    }[outcome]
    const url = new URL(message.deliveryUrl)
    if (reportOptions.forged) url.searchParams.set('token', 'forged-token-0123456789abcdef')
    const report = {
      bulkId: `bulk-${messageId}`,
      messageId,
      to: message.to,
      sender: message.sender,
      sentAt: '2026-01-10T09:00:00.000+0000',
      doneAt: '2026-01-10T09:00:04.000+0000',
      messageCount: 1,
      mccMnc: '22801',
      callbackData: message.callbackData,
      price: { pricePerMessage: 0.01, currency: 'EUR' },
      status,
      error,
    }
    return new Request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ results: [report] }),
    })
  }

  return {
    url: http.url,
    apiKey,
    messages,
    lookups,
    requests: http.requests,
    violations,
    numbers,
    failNext: (endpoint, scenario, times) => scenarios.push(endpoint, scenario, times),
    deliveryReport,
    sendDeliveryReport: (messageId, outcome) => fetch(deliveryReport(messageId, outcome)),
    close: http.close,
  }
}
