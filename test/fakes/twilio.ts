/**
 * A local Twilio: the Messages API (`POST /2010-04-01/Accounts/:sid/Messages.json`, Basic auth,
 * form body, 201 + Message resource, `{code,message,more_info,status}` errors) and Lookup v2
 * (`GET /v2/PhoneNumbers/:n?Fields=line_type_intelligence`). Serve both from one fake: point
 * TWILIO_BASE_URL and TWILIO_LOOKUP_BASE_URL at `fake.url`.
 *
 * Status callbacks are signed the documented way with node:crypto — an implementation independent of
 * the adapter's Web Crypto one, so a passing test means the two agree.
 */
import { createHmac, randomBytes } from 'node:crypto'
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

export interface TwilioFakeMessage {
  sid: string
  /** As Twilio received it: E.164 with `+`. */
  to: string
  from?: string
  messagingServiceSid?: string
  text: string
  statusCallback?: string
  validityPeriod?: string
  at: number
}

export type TwilioLineType = 'mobile' | 'landline' | 'nonFixedVoip' | 'invalid'

export interface TwilioFake {
  url: string
  accountSid: string
  authToken: string
  messages: TwilioFakeMessage[]
  lookups: string[]
  requests: RecordedRequest[]
  violations: string[]
  /** Lookup answer per E.164 number; default 'mobile'. */
  numbers: Map<string, TwilioLineType>
  failNext(endpoint: 'send' | 'lookup', scenario: FakeScenario, times?: number): void
  /** Answers the next send with this documented error (e.g. 400 / 21610 unsubscribed recipient). */
  nextSendError(httpStatus: number, code: number, message?: string): void
  /** The status callback Twilio would POST for a message, signed with the auth token (or not, when forged). */
  deliveryReport(sid: string, outcome: FakeReportOutcome, options?: { forged?: boolean }): Request
  sendDeliveryReport(sid: string, outcome: FakeReportOutcome): Promise<Response>
  close(): Promise<void>
}

/** X-Twilio-Signature as documented: base64 HMAC-SHA1(token, url + sorted name+value pairs). */
export function signTwilioRequest(authToken: string, url: string, params: URLSearchParams): string {
  const data = [...params.keys()]
    .filter((key, index, keys) => keys.indexOf(key) === index)
    .sort()
    .map((key) =>
      [...new Set(params.getAll(key))]
        .sort()
        .map((value) => key + value)
        .join(''),
    )
    .join('')
  return createHmac('sha1', authToken)
    .update(url + data, 'utf8')
    .digest('base64')
}

function twilioError(response: ServerResponse, status: number, code: number, message: string): void {
  sendJson(response, status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  })
}

const CALLBACK_STATUS: Record<FakeReportOutcome, [string, string?]> = {
  delivered: ['delivered'],
  sent: ['sent'],
  undeliverable: ['undelivered', '30005'],
  failed: ['undelivered', '30003'],
  expired: ['failed', '30036'],
  rejected: ['undelivered', '30007'],
}

export async function startTwilioFake(
  options: { accountSid?: string; authToken?: string } = {},
): Promise<TwilioFake> {
  const accountSid = options.accountSid ?? `AC${'0'.repeat(31)}1`
  const authToken = options.authToken ?? 'fake_twilio_auth_token_0123456789'
  const messages: TwilioFakeMessage[] = []
  const lookups: string[] = []
  const violations: string[] = []
  const numbers = new Map<string, TwilioLineType>()
  const scenarios = new ScenarioQueue<'send' | 'lookup'>()
  const sendErrors: Array<[number, number, string]> = []
  const expectedAuthorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`

  function scripted(scenario: FakeScenario | undefined, response: ServerResponse): boolean {
    switch (scenario) {
      case 'rate-limited':
        twilioError(response, 429, 20429, 'Too Many Requests')
        return true
      case 'server-error':
        twilioError(response, 500, 20500, 'Internal Server Error')
        return true
      case 'malformed':
        sendText(response, 201, '{"sid": "SM', 'application/json')
        return true
      case 'hang':
        return true
      default:
        return false
    }
  }

  const http = await startHttpFake((request, response) => {
    if (header(request, 'authorization') !== expectedAuthorization) {
      violations.push(`${request.path}: Authorization is not Basic AccountSid:AuthToken`)
      return twilioError(response, 401, 20003, 'Authenticate')
    }
    const send = request.path.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/)
    if (request.method === 'POST' && send) return handleSend(request, response, send[1]!)
    const lookup = request.path.match(/^\/v2\/PhoneNumbers\/([^/]+)$/)
    if (request.method === 'GET' && lookup)
      return handleLookup(request, response, decodeURIComponent(lookup[1]!))
    violations.push(`unexpected ${request.method} ${request.path}`)
    twilioError(response, 404, 20404, 'The requested resource was not found')
  })

  function handleSend(request: RecordedRequest, response: ServerResponse, sid: string): void {
    if (sid !== accountSid) {
      violations.push(`send: account ${sid} in the path is not ${accountSid}`)
      return twilioError(response, 404, 20404, 'The requested resource was not found')
    }
    if (!header(request, 'content-type').startsWith('application/x-www-form-urlencoded')) {
      violations.push('send: Content-Type is not application/x-www-form-urlencoded')
    }
    const scenario = scenarios.take('send')
    if (scripted(scenario, response)) return
    const forced = sendErrors.shift()
    if (forced) return twilioError(response, ...forced)
    const form = new URLSearchParams(request.body)
    const to = form.get('To') ?? ''
    const from = form.get('From') ?? undefined
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined
    const text = form.get('Body') ?? ''
    if (!/^\+\d{7,15}$/.test(to)) {
      violations.push(`send: To must be E.164 with +, got ${JSON.stringify(to)}`)
      return twilioError(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`)
    }
    if (scenario === 'invalid-number')
      return twilioError(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`)
    if (scenario === 'account-error')
      return twilioError(
        response,
        400,
        21606,
        `The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.`,
      )
    if (!from && !messagingServiceSid) {
      violations.push('send: neither From nor MessagingServiceSid')
      return twilioError(
        response,
        400,
        21603,
        "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
      )
    }
    if (!text) {
      violations.push('send: Body missing')
      return twilioError(response, 400, 21602, 'Message body is required.')
    }
    const messageSid = `SM${randomBytes(16).toString('hex')}`
    messages.push({
      sid: messageSid,
      to,
      from,
      messagingServiceSid,
      text,
      statusCallback: form.get('StatusCallback') ?? undefined,
      validityPeriod: form.get('ValidityPeriod') ?? undefined,
      at: Date.now(),
    })
    const now = new Date().toUTCString().replace('GMT', '+0000')
    sendJson(response, 201, {
      sid: messageSid,
      account_sid: accountSid,
      api_version: '2010-04-01',
      to,
      from: from ?? null,
      body: text,
      status: messagingServiceSid ? 'accepted' : 'queued',
      direction: 'outbound-api',
      num_segments: '1',
      num_media: '0',
      error_code: null,
      error_message: null,
      price: null,
      price_unit: null,
      messaging_service_sid: messagingServiceSid ?? null,
      date_created: now,
      date_sent: null,
      date_updated: now,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json` },
    })
  }

  function handleLookup(request: RecordedRequest, response: ServerResponse, number: string): void {
    if (request.query.get('Fields') !== 'line_type_intelligence') {
      violations.push(`lookup: Fields must be line_type_intelligence, got ${request.query.get('Fields')}`)
    }
    const scenario = scenarios.take('lookup')
    if (scripted(scenario, response)) return
    lookups.push(number)
    const type = numbers.get(number) ?? 'mobile'
    const valid = type !== 'invalid' && /^\+\d{7,15}$/.test(number)
    sendJson(response, 200, {
      calling_country_code: valid ? '1' : null,
      country_code: valid ? 'US' : null,
      phone_number: number,
      national_format: valid ? number : null,
      valid,
      validation_errors: valid ? null : ['NOT_A_NUMBER'],
      caller_name: null,
      sim_swap: null,
      call_forwarding: null,
      line_status: null,
      line_type_intelligence: valid
        ? {
            error_code: null,
            mobile_country_code: '310',
            mobile_network_code: '260',
            carrier_name: 'Example Wireless',
            type,
          }
        : null,
      identity_match: null,
      reassigned_number: null,
      sms_pumping_risk: null,
      phone_number_quality_score: null,
      pre_fill: null,
      url: `https://lookups.twilio.com/v2/PhoneNumbers/${number}`,
    })
  }

  function deliveryReport(
    sid: string,
    outcome: FakeReportOutcome,
    reportOptions: { forged?: boolean } = {},
  ): Request {
    const message = messages.find((candidate) => candidate.sid === sid)
    if (!message?.statusCallback) throw new Error(`twilio fake: no sent message ${sid} with a StatusCallback`)
    const [status, errorCode] = CALLBACK_STATUS[outcome]
    const params = new URLSearchParams({
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      From: message.from ?? '+15005550006',
      MessageSid: sid,
      MessageStatus: status,
      SmsSid: sid,
      SmsStatus: status,
      To: message.to,
    })
    if (errorCode) params.set('ErrorCode', errorCode)
    if (message.messagingServiceSid) params.set('MessagingServiceSid', message.messagingServiceSid)
    const signature = signTwilioRequest(
      reportOptions.forged ? 'not-the-auth-token' : authToken,
      message.statusCallback,
      params,
    )
    return new Request(message.statusCallback, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': signature,
        'User-Agent': 'TwilioProxy/1.1',
      },
      body: params.toString(),
    })
  }

  return {
    url: http.url,
    accountSid,
    authToken,
    messages,
    lookups,
    requests: http.requests,
    violations,
    numbers,
    failNext: (endpoint, scenario, times) => scenarios.push(endpoint, scenario, times),
    nextSendError: (httpStatus, code, message = `Error ${code}`) =>
      sendErrors.push([httpStatus, code, message]),
    deliveryReport,
    sendDeliveryReport: (sid, outcome) => fetch(deliveryReport(sid, outcome)),
    close: http.close,
  }
}
