import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startInfobipFake, type InfobipFake } from '../../test/fakes/infobip.js'
import { ProviderAccountError } from './failover.js'
import { ProviderError } from './types.js'
import { infobipDeliveryStatus, infobipProvider } from './infobip.js'

const SECRET = 'report-secret-0123456789abcdef'

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError)
    return error as ProviderError
  }
  throw new Error('expected a failure')
}

describe('infobipProvider', () => {
  let fake: InfobipFake
  beforeEach(async () => {
    fake = await startInfobipFake()
  })
  afterEach(async () => {
    await fake.close()
  })
  const provider = (options: Partial<Parameters<typeof infobipProvider>[0]> = {}) =>
    infobipProvider({
      baseUrl: `${fake.url}/`,
      apiKey: fake.apiKey,
      sender: 'AcmeAuth',
      deliveryReportSecret: SECRET,
      ...options,
    })

  it('sends the documented request: App auth, JSON, digits, our id, validity, webhook with the secret', async () => {
    await provider().send({
      to: '+41793026727',
      text: '482913 is your code.',
      reference: 'pin-1-1',
      deliveryReportUrl: 'https://kit.example/2fa/reports/infobip',
      validitySeconds: 299.5,
    })
    const [request] = fake.requests
    expect(request).toMatchObject({ method: 'POST', path: '/sms/3/messages' })
    expect(request!.headers).toMatchObject({
      authorization: `App ${fake.apiKey}`,
      'content-type': 'application/json',
      accept: 'application/json',
    })
    expect(JSON.parse(request!.body)).toEqual({
      messages: [
        {
          sender: 'AcmeAuth',
          destinations: [{ to: '41793026727', messageId: 'pin-1-1' }],
          content: { text: '482913 is your code.' },
          options: { validityPeriod: { amount: 300, timeUnit: 'SECONDS' } },
          webhooks: {
            delivery: { url: `https://kit.example/2fa/reports/infobip?token=${SECRET}`, notify: true },
            contentType: 'application/json',
            callbackData: 'pin-1-1',
          },
        },
      ],
    })
  })

  it('asks for no delivery report it could not authenticate, and clamps validity to 48 h', async () => {
    await provider({ deliveryReportSecret: undefined, sender: undefined }).send({
      to: '+41793026727',
      text: 'x',
      reference: 'r-1',
      deliveryReportUrl: 'https://kit.example/r',
      validitySeconds: 7 * 86400,
      from: 'Other',
    })
    const body = JSON.parse(fake.requests[0]!.body)
    expect(body.messages[0].webhooks).toBeUndefined()
    expect(body.messages[0].sender).toBe('Other')
    expect(body.messages[0].options.validityPeriod).toEqual({ amount: 172800, timeUnit: 'SECONDS' })
  })

  it('takes a duplicate-id refusal of a retried send as the earlier send accepted', async () => {
    const first = await provider().send({ to: '+41793026727', text: 'x', reference: 'pin-9-1' })
    const retry = await provider().send({ to: '+41793026727', text: 'x', reference: 'pin-9-1' })
    expect(retry).toEqual({ ...first, status: 'ACCEPTED' })
    expect(fake.messages).toHaveLength(1)
  })

  it('blames the recipient only for a 400 about the destination', async () => {
    const badText = await failureOf(provider().send({ to: '+41793026727', text: '', reference: 'r' }))
    expect(badText).toBeInstanceOf(ProviderAccountError)
    expect(badText.details).toEqual({ providerCode: 'E400', httpStatus: 400 })
    const badNumber = await failureOf(provider().send({ to: '+4179', text: 'x', reference: 'r' }))
    expect(badNumber.kind).toBe('permanent')
    expect(badNumber).not.toBeInstanceOf(ProviderAccountError)
  })

  it('looks numbers up with the documented request and reads the answer', async () => {
    fake.numbers.set('41790000003', 'absent')
    fake.numbers.set('41790000000', 'unknown-subscriber')
    const lookup = provider().lookup!
    await expect(lookup('+41793026727')).resolves.toMatchObject({
      valid: true,
      reachable: true,
      lineType: 'mobile',
    })
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({ to: ['41793026727'] })
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/number/1/query' })
    await expect(lookup('+41790000003')).resolves.toMatchObject({ valid: true, reachable: false })
    await expect(lookup('+41790000000')).resolves.toMatchObject({ valid: false, reachable: false })
  })

  it('reads the legacy serviceException error shape of Number Lookup', async () => {
    const failure = await failureOf(provider({ apiKey: 'wrong' }).lookup!('+41793026727'))
    expect(failure).toBeInstanceOf(ProviderAccountError)
    expect(failure.details).toEqual({ providerCode: 'UNAUTHORIZED', httpStatus: 401 })
    fake.failNext('lookup', 'server-error')
    expect((await failureOf(provider().lookup!('+41793026727'))).details.providerCode).toBe('GENERAL_ERROR')
  })

  it('leaves lookup out when told to', () => {
    expect(provider({ lookup: false }).lookup).toBeUndefined()
  })

  it('parses a batch of reports and accepts the secret as a Basic password too', async () => {
    const results = [
      { messageId: 'a', status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' } },
      {
        messageId: 'b',
        status: { groupId: 5, groupName: 'REJECTED', id: 21, name: 'REJECTED_SYSTEM_ERROR' },
      },
    ]
    const request = new Request('https://kit.example/r', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`infobip:${SECRET}`)}` },
      body: JSON.stringify({ results }),
    })
    await expect(provider().parseDeliveryReports!(request, { url: request.url })).resolves.toEqual([
      {
        messageId: 'a',
        status: 'DELIVERED',
        providerStatus: 'DELIVERED_TO_HANDSET',
        providerErrorCode: undefined,
      },
      {
        messageId: 'b',
        status: 'FAILED',
        providerStatus: 'REJECTED_SYSTEM_ERROR',
        providerErrorCode: undefined,
      },
    ])
  })

  it('maps statuses per the reference table', () => {
    const status = (groupName: string, name: string) => ({ groupName, name })
    expect(infobipDeliveryStatus(status('PENDING', 'PENDING_ACCEPTED'))).toBe('ACCEPTED')
    expect(infobipDeliveryStatus(status('PENDING', 'PENDING_ENROUTE'))).toBe('ACCEPTED')
    expect(infobipDeliveryStatus(status('PENDING', 'PENDING_WAITING_DELIVERY'))).toBe('SENT')
    expect(infobipDeliveryStatus(status('DELIVERED', 'DELIVERED_TO_OPERATOR'))).toBe('SENT')
    expect(infobipDeliveryStatus(status('DELIVERED', 'DELIVERED_TO_HANDSET'))).toBe('DELIVERED')
    expect(
      infobipDeliveryStatus(status('UNDELIVERABLE', 'UNDELIVERABLE_NOT_DELIVERED'), { permanent: true }),
    ).toBe('UNDELIVERABLE')
    expect(
      infobipDeliveryStatus(status('UNDELIVERABLE', 'UNDELIVERABLE_NOT_DELIVERED'), { permanent: false }),
    ).toBe('FAILED')
    expect(infobipDeliveryStatus(status('EXPIRED', 'EXPIRED_EXPIRED'))).toBe('EXPIRED')
    expect(infobipDeliveryStatus(status('REJECTED', 'REJECTED_NOT_ENOUGH_CREDITS'))).toBe('REJECTED')
    expect(infobipDeliveryStatus(status('REJECTED', 'REJECTED_SYSTEM_ERROR'))).toBe('FAILED')
    expect(infobipDeliveryStatus(status('REJECTED', 'REJECTED_PREFIX_MISSING'))).toBe('UNDELIVERABLE')
    expect(infobipDeliveryStatus(status('REJECTED', 'MISSING_TO'))).toBe('UNDELIVERABLE')
    expect(infobipDeliveryStatus(status('Rejected', 'REJECTED_DESTINATION'))).toBe('UNDELIVERABLE')
  })

  it('refuses bad options with what to change', () => {
    expect(() => infobipProvider({ baseUrl: '', apiKey: 'k' })).toThrow(
      /"baseUrl" is required — use your account base URL/,
    )
    expect(() => infobipProvider({ baseUrl: 'xyz.api.infobip.com', apiKey: 'k' })).toThrow(/absolute URL/)
    expect(() => infobipProvider({ baseUrl: 'https://x.api.infobip.com', apiKey: ' ' })).toThrow(
      /"apiKey" is required/,
    )
    expect(() =>
      infobipProvider({ baseUrl: 'https://x.api.infobip.com', apiKey: 'k', deliveryReportSecret: 'short' }),
    ).toThrow(/at least 16 characters/)
  })
})
