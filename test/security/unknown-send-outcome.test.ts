// A provider that takes the SMS but answers after providerTimeout: the SMS may well be out, so the
// send stays counted, the PIN stays verifiable, and nobody sends it again.
import { describe, expect, it } from 'vitest'
import type { SmsMessage, SmsProvider } from '../../server/index.js'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'

/** Accepts every SMS at once (it is on its way) and answers only after `answerAfterMs`. */
function lateProvider(answerAfterMs: number) {
  const accepted: SmsMessage[] = []
  const provider: SmsProvider = {
    name: 'late',
    async send(message) {
      accepted.push(message)
      await new Promise((resolve) => setTimeout(resolve, answerAfterMs))
      return { messageId: `late-${accepted.length}`, status: 'ACCEPTED', provider: 'late' }
    },
  }
  return { provider, accepted }
}

describe('a send whose outcome is unknown (the provider answered after providerTimeout)', () => {
  it('answers 201 with sms.status MESSAGE_STATUS_UNKNOWN, sends exactly once, and the PIN in that SMS verifies', async () => {
    const late = lateProvider(300)
    const kit = makeKit({ sms: late.provider, providerTimeout: '50ms', providerRetries: 1 })
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(201)
    const answer = (await response.json()) as { pinId: string; sms: unknown }
    expect(answer.sms).toEqual({
      status: 'MESSAGE_STATUS_UNKNOWN',
      provider: 'late',
      reason: 'PROVIDER_TIMEOUT',
      encoding: 'GSM-7',
      segments: 1,
    })
    expect(late.accepted).toHaveLength(1)
    const pin = /^(\d{6}) /.exec(late.accepted[0]!.text)![1]!
    const verified = await kit.post(`/pin/${answer.pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
  })

  it('keeps every quota it took: with a per-IP limit of 2/1h the third send from one IP is refused', async () => {
    const late = lateProvider(200)
    const kit = makeKit({
      sms: late.provider,
      providerTimeout: '50ms',
      sendPinPerIpLimit: '2/1h',
      getClientIp: () => '203.0.113.7',
    })
    const numbers = ['+385911111111', '+385912222222', '+385913333333']
    const statuses: number[] = []
    for (const phoneNumber of numbers) statuses.push((await kit.post('/pin', { phoneNumber })).status)
    expect(statuses).toEqual([201, 201, 429])
    expect(late.accepted).toHaveLength(2)
    const third = await kit.post('/pin', { phoneNumber: numbers[2] })
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerIp' })
  })

  it('keeps the number counted: the cooldown refuses a second send, and the resend after it is counted too', async () => {
    const late = lateProvider(200)
    const kit = makeKit({
      sms: late.provider,
      providerTimeout: '50ms',
      sendPinPerPhoneNumberLimit: '2/1d',
      maxResendCooldown: '30s',
    })
    const first = (await (await kit.post('/pin', { phoneNumber: MOBILE_HR })).json()) as { pinId: string }
    expect(await errorOf(await kit.post('/pin', { phoneNumber: MOBILE_HR }))).toMatchObject({
      limit: 'resendCooldown',
    })
    kit.clock.advance(30_000)
    const resent = await kit.post(`/pin/${first.pinId}/resend`)
    expect(resent.status).toBe(200)
    expect(((await resent.json()) as { sms: { status: string } }).sms.status).toBe('MESSAGE_STATUS_UNKNOWN')
    kit.clock.advance(30_000)
    expect(await errorOf(await kit.post('/pin', { phoneNumber: MOBILE_HR }))).toMatchObject({
      limit: 'sendPinPerPhoneNumber',
    })
    expect(late.accepted).toHaveLength(2)
  })

  it('a 2xx answer the adapter cannot read is unknown too: 201 PROVIDER_ANSWER_UNREADABLE, asked once, counted', async () => {
    const { ProviderError } = await import('../../server/index.js')
    let calls = 0
    const unreadable: SmsProvider = {
      name: 'unreadable',
      async send() {
        calls++
        throw new ProviderError(
          'transient',
          'unreadable',
          'answered HTTP 201 with a body it does not document',
          {
            providerCode: 'MALFORMED_RESPONSE',
            httpStatus: 201,
          },
        )
      },
    }
    const kit = makeKit({ sms: unreadable, providerRetries: 1, sendPinPerPhoneNumberLimit: '1/1d' })
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(201)
    expect(((await response.json()) as { sms: unknown }).sms).toMatchObject({
      status: 'MESSAGE_STATUS_UNKNOWN',
      provider: 'unreadable',
      reason: 'PROVIDER_ANSWER_UNREADABLE',
    })
    expect(calls).toBe(1)
    kit.clock.advance(30_000)
    expect(await errorOf(await kit.post('/pin', { phoneNumber: MOBILE_HR }))).toMatchObject({
      limit: 'sendPinPerPhoneNumber',
    })
  })

  it('a clear refusal still gives every quota back: nothing was sent', async () => {
    const refusing: SmsProvider = {
      name: 'refusing',
      async send() {
        const { ProviderError } = await import('../../server/index.js')
        throw new ProviderError('transient', 'refusing', 'refusing answered 503')
      },
    }
    const kit = makeKit({
      sms: refusing,
      providerRetries: 0,
      sendPinPerIpLimit: '1/1h',
      getClientIp: () => '203.0.113.7',
    })
    const refused = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(await errorOf(refused)).toMatchObject({ code: 'SMS_NOT_SENT', retryable: true })
    const hit = await kit.store.hit('send:ip:203.0.113.7', 1, 3_600_000, kit.clock.now(), 0)
    expect(hit.count).toBe(0)
  })
})
