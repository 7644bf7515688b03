import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTwilioFake, type TwilioFake } from '../../test/fakes/twilio.js'
import { ProviderAccountError } from './failover.js'
import { ProviderError } from './types.js'
import { isValidTwilioSignature, twilioDeliveryStatus, twilioProvider, twilioSignature } from './twilio.js'

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError)
    return error as ProviderError
  }
  throw new Error('expected a failure')
}

describe('twilioProvider', () => {
  let fake: TwilioFake
  beforeEach(async () => {
    fake = await startTwilioFake()
  })
  afterEach(async () => {
    await fake.close()
  })
  const provider = (options: Partial<Parameters<typeof twilioProvider>[0]> = {}) =>
    twilioProvider({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: '+15005550006',
      baseUrl: fake.url,
      lookupBaseUrl: fake.url,
      ...options,
    })

  it('sends the documented request: Basic auth, form body, E.164 with +, callback and validity', async () => {
    const result = await provider().send({
      to: '+14155550100',
      text: '482913 is your code.\n\n@kit.example #482913',
      reference: 'pin-1-1',
      deliveryReportUrl: 'https://kit.example/2fa/reports/twilio',
      validitySeconds: 600,
    })
    const [request] = fake.requests
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`,
    })
    expect(request!.headers.authorization).toBe(`Basic ${btoa(`${fake.accountSid}:${fake.authToken}`)}`)
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      To: '+14155550100',
      From: '+15005550006',
      Body: '482913 is your code.\n\n@kit.example #482913',
      StatusCallback: 'https://kit.example/2fa/reports/twilio',
      ValidityPeriod: '600',
    })
    expect(result).toEqual({ messageId: fake.messages[0]!.sid, status: 'ACCEPTED', provider: 'twilio' })
    expect(result.messageId).toMatch(/^SM[0-9a-f]{32}$/)
  })

  it('sends through a Messaging Service when configured', async () => {
    const sid = `MG${'a'.repeat(32)}`
    await provider({ from: undefined, messagingServiceSid: sid }).send({
      to: '+14155550100',
      text: 'x',
      reference: 'r',
    })
    const form = new URLSearchParams(fake.requests[0]!.body)
    expect(form.get('MessagingServiceSid')).toBe(sid)
    expect(form.has('From')).toBe(false)
  })

  it('classifies documented error codes', async () => {
    const cases: Array<[number, number, 'transient' | 'recipient' | 'account']> = [
      [400, 21610, 'recipient'], // unsubscribed: respect it, no failover
      [400, 21614, 'recipient'],
      [400, 21611, 'transient'], // sender queue full
      [400, 21408, 'account'],
      [400, 21608, 'account'],
      [401, 20003, 'account'],
      [503, 20503, 'transient'],
    ]
    for (const [status, code, expected] of cases) {
      fake.nextSendError(status, code)
      const failure = await failureOf(provider().send({ to: '+14155550100', text: 'x', reference: 'r' }))
      expect(failure.details).toEqual({ providerCode: String(code), httpStatus: status })
      const actual =
        failure.kind === 'transient'
          ? 'transient'
          : failure instanceof ProviderAccountError
            ? 'account'
            : 'recipient'
      expect(actual, `code ${code}`).toBe(expected)
    }
  })

  it('looks numbers up with line type intelligence, the + URL-encoded', async () => {
    fake.numbers.set('+14155550101', 'landline')
    await expect(provider().lookup!('+14155550101')).resolves.toMatchObject({
      valid: true,
      reachable: undefined,
      lineType: 'landline',
    })
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v2/PhoneNumbers/%2B14155550101' })
    expect(fake.requests[0]!.query.get('Fields')).toBe('line_type_intelligence')
  })

  it('computes X-Twilio-Signature as documented (SDK test vector and the reference callback)', async () => {
    const sdkParams = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    })
    expect(await twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', sdkParams)).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    )
    const callback = new URLSearchParams(
      'AccountSid=AC00000000000000000000000000000000&ApiVersion=2010-04-01&ErrorCode=30003&From=%2B15005550006' +
        '&MessageSid=SM11111111111111111111111111111111&MessageStatus=undelivered&SmsSid=SM11111111111111111111111111111111' +
        '&SmsStatus=undelivered&To=%2B15558675310',
    )
    const url = 'https://kit.example/webhooks/twilio/status?cid=ch_123'
    expect(await twilioSignature('test_auth_token', url, callback)).toBe('bnlBCNZ7DfiabE5tV1m7H5wLsgg=')
    // Signed with the default port shown, checked against the URL without it (and the other way round).
    const withPort = await twilioSignature(
      'test_auth_token',
      'https://kit.example:443/webhooks/twilio/status?cid=ch_123',
      callback,
    )
    expect(await isValidTwilioSignature('test_auth_token', url, callback, withPort)).toBe(true)
    expect(await isValidTwilioSignature('other_token', url, callback, 'bnlBCNZ7DfiabE5tV1m7H5wLsgg=')).toBe(
      false,
    )
  })

  it('refuses callbacks without a signature, or not form-encoded', async () => {
    const unsigned = new Request('https://kit.example/r', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    })
    expect((await failureOf(provider().parseDeliveryReports!(unsigned, { url: unsigned.url }))).kind).toBe(
      'unauthorized',
    )
    const json = new Request('https://kit.example/r', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': 'x' },
      body: '{}',
    })
    expect((await failureOf(provider().parseDeliveryReports!(json, { url: json.url }))).kind).toBe(
      'malformed',
    )
  })

  it('maps statuses per the reference table', () => {
    expect(twilioDeliveryStatus('queued')).toBe('ACCEPTED')
    expect(twilioDeliveryStatus('accepted')).toBe('ACCEPTED')
    expect(twilioDeliveryStatus('sending')).toBe('ACCEPTED')
    expect(twilioDeliveryStatus('sent')).toBe('SENT')
    expect(twilioDeliveryStatus('delivered')).toBe('DELIVERED')
    expect(twilioDeliveryStatus('read')).toBe('DELIVERED')
    expect(twilioDeliveryStatus('undelivered', '30003')).toBe('FAILED')
    expect(twilioDeliveryStatus('undelivered', '30008')).toBe('FAILED')
    expect(twilioDeliveryStatus('undelivered', '30005')).toBe('UNDELIVERABLE')
    expect(twilioDeliveryStatus('undelivered', '30006')).toBe('UNDELIVERABLE')
    expect(twilioDeliveryStatus('undelivered', '30007')).toBe('REJECTED')
    expect(twilioDeliveryStatus('undelivered')).toBe('FAILED')
    expect(twilioDeliveryStatus('failed', '30036')).toBe('EXPIRED')
    expect(twilioDeliveryStatus('failed', '30001')).toBe('FAILED')
    expect(twilioDeliveryStatus('failed', '30002')).toBe('REJECTED')
    expect(twilioDeliveryStatus('failed')).toBe('REJECTED')
    expect(twilioDeliveryStatus('canceled')).toBe('REJECTED')
    expect(twilioDeliveryStatus('received')).toBeUndefined()
  })

  it('refuses bad options with what to change', () => {
    const base = { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', from: '+15005550006' }
    expect(() => twilioProvider({ ...base, accountSid: 'SK123' })).toThrow(
      /"accountSid" must be "AC" followed by 32 hex digits/,
    )
    expect(() => twilioProvider({ ...base, authToken: '' })).toThrow(/"authToken" is required/)
    expect(() => twilioProvider({ ...base, from: undefined })).toThrow(
      /pass "from".*or "messagingServiceSid"/,
    )
    expect(() => twilioProvider({ ...base, messagingServiceSid: 'MG1' })).toThrow(
      /"messagingServiceSid" must be "MG"/,
    )
    expect(() => twilioProvider({ ...base, baseUrl: 'ftp://x' })).toThrow(/http\(s\) URL/)
  })
})
