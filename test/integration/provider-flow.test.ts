/**
 * The SMS providers at the flow level: the kit's HTTP API with the real Infobip, Twilio and Vonage adapters
 * pointed at their local fakes — send and verify, failover, permanent failures, the Node entry
 * configured from the environment, and provider configuration mistakes.
 */
import { describe, expect, it } from 'vitest'
import { twoFactor as twoFactorFromEnv } from '../../server/node.js'
import { derivePin, deriveHmacKey } from '../../server/core/pin.js'
import { infobipProvider } from '../../server/providers/infobip.js'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'
import { listen } from './support.js'
import {
  closedAfterTest,
  DIGITS_HR,
  infobip,
  infobipSms,
  ORIGIN,
  pinIn,
  PROVIDER_TIMEOUT,
  REPORT_SECRET,
  SECRET,
  type SendAnswer,
  servedKit,
  smsRequests,
  twilio,
  twilioSms,
  useProviderFakes,
  vonage,
  vonageSms,
} from './provider-kit.js'

useProviderFakes()

describe('send → verify through Infobip', () => {
  it('sends exactly one SMS with the PIN and the WebOTP line, and the PIN verifies', async () => {
    const kit = await servedKit({ sms: infobipSms(), allowedOrigins: [ORIGIN] })
    const answer = await kit.send()
    expect(answer.sms).toMatchObject({
      status: 'MESSAGE_SENT',
      provider: 'infobip',
      messageId: `${answer.pinId}-1`,
      encoding: 'GSM-7',
      segments: 1,
    })
    expect(answer.lookup.ncStatus).toBe('NC_NOT_CONFIGURED')

    expect(infobip.messages).toHaveLength(1)
    const [sms] = infobip.messages
    expect(sms!.to).toBe(DIGITS_HR)
    const pin = pinIn(sms!.text)
    expect(pin).toMatch(/^\d{6}$/)
    expect(sms!.text.endsWith(`\n@shop.example #${pin}`)).toBe(true)
    expect(sms!.messageId).toBe(`${answer.pinId}-1`)
    expect(sms!.validityPeriod).toEqual({ amount: 600, timeUnit: 'SECONDS' })
    expect(sms!.deliveryUrl).toBe(`${kit.reports}/infobip?token=${REPORT_SECRET}`)
    expect(await kit.pinState(answer.pinId)).toMatchObject({ status: 'SENT', deliveryStatus: 'ACCEPTED' })

    const verified = await kit.post(`/pin/${answer.pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
    const { token } = (await verified.json()) as { token: string }
    expect((await kit.app.verifier.verify(token)).phoneNumber).toBe(MOBILE_HR)
    expect(infobip.messages).toHaveLength(1)
  })

  it('leaves the WebOTP line out without allowedOrigins', async () => {
    const kit = await servedKit({ sms: infobipSms() })
    await kit.send()
    expect(infobip.messages[0]!.text).not.toContain('@')
  })
})

describe('failover', () => {
  it.each([
    ['answers 5xx on every try', 'server-error', 2],
    ['answers 429 on every try', 'rate-limited', 2],
    ['hangs past providerTimeout', 'hang', 1],
    ['refuses for its account (no credit)', 'account-error', 1],
  ] as const)('Infobip %s → Twilio sends the SMS and the PIN verifies', async (_, scenario, infobipTries) => {
    const kit = await servedKit({ sms: [infobipSms(), twilioSms()], providerTimeout: PROVIDER_TIMEOUT })
    infobip.failNext('send', scenario, 2)
    const answer = await kit.send()
    expect(answer.sms).toMatchObject({ status: 'MESSAGE_SENT', provider: 'twilio' })
    // One retry on a transient failure, none after a timeout (failover is faster) or an account refusal.
    expect(smsRequests(infobip, /^\/sms\//)).toHaveLength(infobipTries)
    expect(infobip.messages).toEqual([])
    expect(twilio.messages).toHaveLength(1)
    expect(twilio.messages[0]).toMatchObject({ to: MOBILE_HR, sid: answer.sms.messageId })
    expect(twilio.messages[0]!.statusCallback).toBe(`${kit.reports}/twilio`)
    const pin = pinIn(twilio.messages[0]!.text)
    const verified = await kit.post(`/pin/${answer.pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
  })

  it('a failure about the recipient stops the failover: SMS_NOT_SENT, not counted, PIN not verifiable', async () => {
    const kit = await servedKit({ sms: [infobipSms(), twilioSms()], sendPinPerPhoneNumberLimit: '1/1d' })
    infobip.failNext('send', 'invalid-number')
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(502)
    expect(await errorOf(response)).toMatchObject({ code: 'SMS_NOT_SENT', retryable: false })
    expect(smsRequests(twilio, /Messages\.json$/)).toEqual([])
    expect(await kit.sendsCounted()).toBe(0)

    // The PIN record exists, locked: not even its right PIN verifies.
    expect(kit.created).toHaveLength(1)
    const { pinId } = kit.created[0]!
    const rightPin = await derivePin(await deriveHmacKey(SECRET, 'pin-derivation'), pinId, 'NUMERIC', 6)
    const verify = await kit.post(`/pin/${pinId}/verify`, { pin: rightPin })
    expect(verify.status).toBe(404)
    expect((await errorOf(verify)).code).toBe('PIN_NOT_FOUND')
    // Locked and failed in the store; to clients it answers as an unknown pinId.
    expect(await kit.store.getPin(pinId)).toMatchObject({ lifecycle: 'LOCKED', deliveryStatus: 'FAILED' })
    expect((await errorOf(await kit.get(`/pin/${pinId}`))).code).toBe('PIN_NOT_FOUND')
    expect((await kit.post(`/pin/${pinId}/resend`)).status).toBe(404)
    expect(smsRequests(infobip, /^\/sms\//)).toHaveLength(1)

    // The failed send cost no budget: with a limit of 1 per day the next one goes out at once.
    await kit.send()
    expect(infobip.messages).toHaveLength(1)
    kit.clock.advance(31_000)
    const third = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerPhoneNumber' })
  })

  it('a Twilio opt-out (21610) is about the recipient too: no failover to Vonage', async () => {
    const kit = await servedKit({ sms: [twilioSms(), vonageSms()] })
    twilio.nextSendError(400, 21610, 'Attempt to send to unsubscribed recipient')
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(await errorOf(response)).toMatchObject({ code: 'SMS_NOT_SENT', retryable: false })
    expect(vonage.requests).toEqual([])
  })

  it('a resend fails over too, with the same PIN; reports about the older SMS no longer count', async () => {
    const kit = await servedKit({ sms: [infobipSms(), twilioSms()], providerTimeout: PROVIDER_TIMEOUT })
    const first = await kit.send()
    expect(first.sms.provider).toBe('infobip')
    kit.clock.advance(31_000)
    infobip.failNext('send', 'hang')
    const resent = await kit.post(`/pin/${first.pinId}/resend`)
    expect(resent.status).toBe(200)
    const second = (await resent.json()) as SendAnswer
    expect(second.sms.provider).toBe('twilio')
    const pin = pinIn(infobip.messages[0]!.text)
    expect(pinIn(twilio.messages[0]!.text)).toBe(pin)

    // The Infobip SMS is the older one now: its failure doesn't mark the PIN failed ...
    await infobip.sendDeliveryReport(first.sms.messageId, 'undeliverable')
    expect(await kit.pinState(first.pinId)).toMatchObject({ status: 'SENT', deliveryStatus: 'ACCEPTED' })
    // ... the newest one's delivery does.
    await twilio.sendDeliveryReport(second.sms.messageId, 'delivered')
    expect(await kit.pinState(first.pinId)).toMatchObject({ status: 'DELIVERED' })
    expect((await kit.post(`/pin/${first.pinId}/verify`, { pin })).status).toBe(200)
  })

  it('every provider down: SMS_NOT_SENT (retryable), not counted', async () => {
    const kit = await servedKit({ sms: [infobipSms(), twilioSms()], providerRetries: 0 })
    infobip.failNext('send', 'server-error')
    twilio.failNext('send', 'server-error')
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(502)
    expect(await errorOf(response)).toMatchObject({ code: 'SMS_NOT_SENT', retryable: true })
    expect(await kit.sendsCounted()).toBe(0)
    expect(await kit.store.getPin(kit.created[0]!.pinId)).toMatchObject({
      lifecycle: 'LOCKED',
      deliveryStatus: 'FAILED',
    })
  })
})

describe('the Node entry configured from the environment', () => {
  it('SMS_PROVIDER=infobip,twilio with NUMBER_LOOKUP=twilio: looks up at Twilio, fails over to it', async () => {
    const listener = closedAfterTest(await listen())
    const app = twoFactorFromEnv(
      {
        TWO_FACTOR_SECRET: SECRET,
        SMS_PROVIDER: 'infobip,twilio',
        NUMBER_LOOKUP: 'twilio',
        INFOBIP_BASE_URL: infobip.url,
        INFOBIP_API_KEY: infobip.apiKey,
        INFOBIP_DELIVERY_REPORT_SECRET: REPORT_SECRET,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.url,
        TWILIO_LOOKUP_BASE_URL: twilio.url,
        TWO_FACTOR_DELIVERY_REPORT_URL: `${listener.url}/reports`,
        TWO_FACTOR_ALLOWED_ORIGINS: ORIGIN,
      },
      {
        logger: { info() {}, warn() {}, error: console.error },
        providerTimeout: PROVIDER_TIMEOUT,
        providerRetries: 0,
      },
    )
    listener.handle(app.fetch)
    expect(app.config.providers).toEqual(['infobip', 'twilio'])
    expect(app.config.lookup).toBe('twilio')
    infobip.failNext('send', 'server-error')
    // Over HTTP: the Node entry reads the caller's IP from the socket.
    const response = await fetch(`${listener.url}/pin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumber: MOBILE_HR }),
    })
    expect(response.status).toBe(201)
    const answer = (await response.json()) as SendAnswer
    expect(answer.sms.provider).toBe('twilio')
    expect(answer.lookup).toMatchObject({ ncStatus: 'NC_DESTINATION_UNKNOWN', lineType: 'mobile' })
    expect(twilio.lookups).toEqual([MOBILE_HR])
    const text = twilio.messages[0]!.text
    expect(text.endsWith(`\n@shop.example #${pinIn(text)}`)).toBe(true)
    expect((await twilio.sendDeliveryReport(answer.sms.messageId, 'delivered')).status).toBe(200)
    const state = (await (await fetch(`${listener.url}/pin/${answer.pinId}`)).json()) as { status: string }
    expect(state.status).toBe('DELIVERED')
  })
})

describe('provider configuration mistakes fail at start-up', () => {
  it('two SMS providers with one name (they would share /reports/:name)', () => {
    const second = infobipProvider({ baseUrl: 'https://other.api.infobip.com', apiKey: 'another-key' })
    expect(() => makeKit({ sms: [infobipSms(), second] })).toThrow(/two providers named "infobip".*`name`/)
    expect(() =>
      makeKit({
        sms: [infobipSms(), infobipProvider({ baseUrl: infobip.url, apiKey: 'k', name: 'infobip-eu' })],
      }),
    ).not.toThrow()
  })

  it('an unknown line type in allowedLineTypes (it would silently refuse every number)', () => {
    expect(() =>
      makeKit({ sms: infobipSms(), lookup: infobipSms(), allowedLineTypes: ['Mobile' as 'mobile'] }),
    ).toThrow(/allowedLineTypes.*"Mobile".*known: mobile/)
  })
})
