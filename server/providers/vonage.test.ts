import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startVonageFake, type VonageFake } from '../../test/fakes/vonage.js'
import { ProviderAccountError } from './failover.js'
import { ProviderError } from './types.js'
import { vonageDeliveryStatus, vonageProvider, vonageSignature } from './vonage.js'

const SECRET = 'report-secret-0123456789abcdef'
const SIGNATURE_SECRET = 'test_signature_secret'

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError)
    return error as ProviderError
  }
  throw new Error('expected a failure')
}

describe('vonageProvider', () => {
  let fake: VonageFake
  beforeEach(async () => {
    fake = await startVonageFake()
  })
  afterEach(async () => {
    await fake.close()
  })
  const provider = (options: Partial<Parameters<typeof vonageProvider>[0]> = {}) =>
    vonageProvider({
      apiKey: fake.apiKey,
      apiSecret: fake.apiSecret,
      from: 'AcmeAuth',
      baseUrl: fake.url,
      insightBaseUrl: fake.url,
      deliveryReportSecret: SECRET,
      ...options,
    })

  it('sends the documented form: credentials, digits, type, client-ref, callback with the secret, ttl in ms', async () => {
    const result = await provider().send({
      to: '+447700900000',
      text: 'Kôd 482913',
      reference: 'pin-1-1',
      deliveryReportUrl: 'https://kit.example/2fa/reports/vonage',
      validitySeconds: 300,
    })
    const [request] = fake.requests
    expect(request).toMatchObject({ method: 'POST', path: '/sms/json' })
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      api_key: fake.apiKey,
      api_secret: fake.apiSecret,
      from: 'AcmeAuth',
      to: '447700900000',
      text: 'Kôd 482913',
      type: 'unicode',
      'client-ref': 'pin-1-1',
      callback: `https://kit.example/2fa/reports/vonage?token=${SECRET}`,
      'status-report-req': 'true',
      ttl: '300000',
    })
    expect(result).toEqual({ messageId: fake.messages[0]!.messageId, status: 'ACCEPTED', provider: 'vonage' })
  })

  it('sends GSM-7 text as type text and keeps ttl within Vonage limits', async () => {
    await provider().send({ to: '+447700900000', text: 'Code 482913 €', reference: 'r', validitySeconds: 5 })
    const form = new URLSearchParams(fake.requests[0]!.body)
    expect(form.get('type')).toBe('text')
    expect(form.get('ttl')).toBe('20000')
  })

  it('classifies the per-message status of an HTTP 200 answer by its documented codes', async () => {
    const cases: Array<[string, 'transient' | 'recipient' | 'account']> = [
      ['1', 'transient'],
      ['5', 'transient'],
      ['10', 'transient'],
      ['6', 'recipient'],
      ['7', 'recipient'],
      ['33', 'recipient'],
      ['2', 'account'],
      ['4', 'account'],
      ['8', 'account'],
      ['9', 'account'],
      ['15', 'account'],
      ['29', 'account'],
    ]
    for (const [status, expected] of cases) {
      fake.nextSendStatus(status)
      const failure = await failureOf(provider().send({ to: '+447700900000', text: 'x', reference: 'r' }))
      expect(failure.details).toEqual({ providerCode: status, httpStatus: 200 })
      const actual =
        failure.kind === 'transient'
          ? 'transient'
          : failure instanceof ProviderAccountError
            ? 'account'
            : 'recipient'
      expect(actual, `status ${status}`).toBe(expected)
    }
  })

  it('computes the webhook signature as documented (reference test vector)', async () => {
    const params = new URLSearchParams({
      msisdn: '447700900000',
      to: 'AcmeInc',
      'network-code': '23410',
      messageId: '0A0000001234567B',
      price: '0.03330000',
      status: 'delivered',
      scts: '2001011400',
      'err-code': '0',
      'api-key': 'abcd1234',
      'client-ref': 'otp-42',
      'message-timestamp': '2020-01-01 12:00:00',
      timestamp: '1577880000',
      nonce: 'ec11dd3e-1e7f-4db5-9467-82b02cd223b9',
      sig: 'ignored',
    })
    expect((await vonageSignature(params, SIGNATURE_SECRET, 'sha256hmac')).toUpperCase()).toBe(
      'A2D9F4BF986AD1CF07A7D4CF8545D065AA0761D10F868D2951A65616F199639A',
    )
  })

  it('accepts signed receipts, refuses forged or stale ones, and puts no token in the callback', async () => {
    const now = Date.UTC(2026, 0, 10, 9, 0, 5)
    const signed = provider({ signatureSecret: SIGNATURE_SECRET, clock: () => now })
    const { messageId } = await signed.send({
      to: '+447700900000',
      text: 'x',
      reference: 'r',
      deliveryReportUrl: 'https://kit.example/2fa/reports/vonage',
    })
    expect(fake.messages[0]!.callback).toBe('https://kit.example/2fa/reports/vonage')
    const timestamp = Math.floor(now / 1000)
    for (const format of ['GET', 'POST-form', 'POST-json'] as const) {
      const request = fake.deliveryReport(messageId, 'delivered', {
        format,
        signatureSecret: SIGNATURE_SECRET,
        timestamp,
      })
      await expect(signed.parseDeliveryReports!(request, { url: request.url })).resolves.toEqual([
        { messageId, status: 'DELIVERED', providerStatus: 'delivered', providerErrorCode: '0' },
      ])
    }
    const forged = fake.deliveryReport(messageId, 'delivered', {
      signatureSecret: SIGNATURE_SECRET,
      timestamp,
      forged: true,
    })
    expect((await failureOf(signed.parseDeliveryReports!(forged, { url: forged.url }))).kind).toBe(
      'unauthorized',
    )
    const stale = fake.deliveryReport(messageId, 'delivered', {
      signatureSecret: SIGNATURE_SECRET,
      timestamp: timestamp - 3600,
    })
    expect((await failureOf(signed.parseDeliveryReports!(stale, { url: stale.url }))).kind).toBe(
      'unauthorized',
    )
    const unsigned = fake.deliveryReport(messageId, 'delivered')
    expect((await failureOf(signed.parseDeliveryReports!(unsigned, { url: unsigned.url }))).kind).toBe(
      'unauthorized',
    )
  })

  it('reads Number Insight answers', async () => {
    await expect(provider({ lookup: 'advanced' }).lookup!('+447700900000')).resolves.toMatchObject({
      valid: true,
      reachable: true,
      lineType: 'mobile',
      ported: false,
      roaming: false,
      network: { name: 'Example UK', mcc: '234', mnc: '10' },
    })
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/ni/advanced/json' })
    expect(fake.requests[0]!.query.get('number')).toBe('447700900000')
    expect(provider().lookup).toBeUndefined()
    const failure = await failureOf(
      provider({ lookup: 'standard', apiSecret: 'wrongSecret' }).lookup!('+447700900000'),
    )
    expect(failure).toBeInstanceOf(ProviderAccountError)
  })

  it('maps receipt statuses per the reference table', () => {
    expect(vonageDeliveryStatus('delivered', '0')).toBe('DELIVERED')
    expect(vonageDeliveryStatus('accepted', '0')).toBe('SENT')
    expect(vonageDeliveryStatus('buffered', '0')).toBe('SENT')
    expect(vonageDeliveryStatus('unknown', '1')).toBe('SENT')
    expect(vonageDeliveryStatus('expired', '0')).toBe('EXPIRED')
    expect(vonageDeliveryStatus('failed', '2')).toBe('FAILED')
    expect(vonageDeliveryStatus('failed', '12')).toBe('FAILED')
    expect(vonageDeliveryStatus('failed', '3')).toBe('UNDELIVERABLE')
    expect(vonageDeliveryStatus('failed', '14')).toBe('UNDELIVERABLE')
    expect(vonageDeliveryStatus('failed', '6')).toBe('REJECTED')
    expect(vonageDeliveryStatus('failed', '99')).toBe('REJECTED')
    expect(vonageDeliveryStatus('rejected', '1')).toBe('UNDELIVERABLE')
    expect(vonageDeliveryStatus('rejected', '11')).toBe('REJECTED')
    expect(vonageDeliveryStatus('sent', '0')).toBeUndefined()
  })

  it('refuses bad options with what to change', () => {
    const base = { apiKey: 'k', apiSecret: 's', from: 'Acme' }
    expect(() => vonageProvider({ ...base, from: '' })).toThrow(/"from" is required/)
    expect(() => vonageProvider({ ...base, apiSecret: '' })).toThrow(/"apiSecret" is required/)
    expect(() => vonageProvider({ ...base, signatureMethod: 'md5hash' as never })).toThrow(
      /MD5 modes can't be verified/,
    )
    expect(() => vonageProvider({ ...base, lookup: 'basic' as never })).toThrow(
      /"lookup" must be false, "standard" or "advanced"/,
    )
  })
})
