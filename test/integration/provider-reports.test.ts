/**
 * Delivery reports end to end: an SMS sent through an adapter to its fake, then the fake's report
 * (Infobip JSON, Twilio signed form callback, Vonage DLR) posted over real HTTP to the kit's
 * /reports/:provider, and `GET /pin/:pinId` showing the result. Forged reports change nothing.
 */
import { describe, expect, it } from 'vitest'
import { signTwilioRequest } from '../fakes/twilio.js'
import { errorOf, MOBILE_HR } from '../helpers/kit.js'
import {
  DIGITS_HR,
  infobip,
  infobipSms,
  REPORT_SECRET,
  servedKit,
  twilio,
  twilioSms,
  useProviderFakes,
  vonage,
  vonageSms,
} from './provider-kit.js'

useProviderFakes()

describe('delivery reports posted to /reports/:provider', () => {
  it('Infobip: DELIVERED, then a late report does not undo it', async () => {
    const kit = await servedKit({ sms: infobipSms() })
    const { pinId, sms } = await kit.send()
    const response = await infobip.sendDeliveryReport(sms.messageId, 'delivered')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: 1, updated: 1, unchanged: 0, unknown: 0 })
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'DELIVERED', deliveryStatus: 'DELIVERED' })
    await infobip.sendDeliveryReport(sms.messageId, 'undeliverable')
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'DELIVERED' })
  })

  it('Infobip: an undelivered report → FAILED / UNDELIVERABLE', async () => {
    const kit = await servedKit({ sms: infobipSms() })
    const { pinId, sms } = await kit.send()
    expect((await infobip.sendDeliveryReport(sms.messageId, 'undeliverable')).status).toBe(200)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'FAILED', deliveryStatus: 'UNDELIVERABLE' })
  })

  it('Infobip: a report with a wrong or no token is refused (401) and changes nothing', async () => {
    const kit = await servedKit({ sms: infobipSms() })
    const { pinId, sms } = await kit.send()
    const forged = await fetch(infobip.deliveryReport(sms.messageId, 'undeliverable', { forged: true }))
    expect(forged.status).toBe(401)
    expect((await errorOf(forged)).code).toBe('DELIVERY_REPORT_UNAUTHORIZED')
    const genuine = infobip.deliveryReport(sms.messageId, 'undeliverable')
    const withoutToken = new URL(genuine.url)
    withoutToken.searchParams.delete('token')
    const unsigned = await fetch(withoutToken, {
      method: 'POST',
      headers: genuine.headers,
      body: await genuine.text(),
    })
    expect(unsigned.status).toBe(401)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'SENT', deliveryStatus: 'ACCEPTED' })
  })

  it('Twilio: a form-encoded status callback signed the documented way is applied', async () => {
    const kit = await servedKit({ sms: twilioSms() })
    const { pinId, sms } = await kit.send()
    const url = twilio.messages[0]!.statusCallback!
    expect(url).toBe(`${kit.reports}/twilio`)
    const params = new URLSearchParams({
      AccountSid: twilio.accountSid,
      ApiVersion: '2010-04-01',
      From: '+15005550006',
      MessageSid: sms.messageId,
      MessageStatus: 'delivered',
      SmsSid: sms.messageId,
      SmsStatus: 'delivered',
      To: MOBILE_HR,
    })
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': signTwilioRequest(twilio.authToken, url, params),
      },
      body: params,
    })
    expect(response.status).toBe(200)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'DELIVERED', deliveryStatus: 'DELIVERED' })
  })

  it("Twilio: the fake's own undelivered callback → FAILED / UNDELIVERABLE", async () => {
    const kit = await servedKit({ sms: twilioSms() })
    const { pinId, sms } = await kit.send()
    expect((await twilio.sendDeliveryReport(sms.messageId, 'undeliverable')).status).toBe(200)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'FAILED', deliveryStatus: 'UNDELIVERABLE' })
  })

  it('Twilio: a wrong, missing or replayed-elsewhere X-Twilio-Signature is refused (401), nothing changes', async () => {
    const kit = await servedKit({ sms: twilioSms() })
    const { pinId, sms } = await kit.send()
    const forged = await fetch(twilio.deliveryReport(sms.messageId, 'undeliverable', { forged: true }))
    expect(forged.status).toBe(401)
    expect((await errorOf(forged)).code).toBe('DELIVERY_REPORT_UNAUTHORIZED')

    const genuine = twilio.deliveryReport(sms.messageId, 'undeliverable')
    const body = await genuine.text()
    const unsigned = new Headers(genuine.headers)
    unsigned.delete('X-Twilio-Signature')
    expect((await fetch(genuine.url, { method: 'POST', headers: unsigned, body })).status).toBe(401)
    // Signed for another URL: the signature covers the URL, so it does not transfer.
    const elsewhere = new URLSearchParams(body)
    const signedElsewhere = new Headers(genuine.headers)
    signedElsewhere.set(
      'X-Twilio-Signature',
      signTwilioRequest(twilio.authToken, `${genuine.url}?x=1`, elsewhere),
    )
    expect((await fetch(genuine.url, { method: 'POST', headers: signedElsewhere, body })).status).toBe(401)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'SENT', deliveryStatus: 'ACCEPTED' })
  })

  it.each(['POST-json', 'POST-form', 'GET'] as const)(
    'Vonage: a DLR (%s) with the token is applied',
    async (format) => {
      const kit = await servedKit({ sms: vonageSms() })
      const { pinId, sms } = await kit.send()
      expect(vonage.messages[0]).toMatchObject({ to: DIGITS_HR, clientRef: `${pinId}-1` })
      expect(vonage.messages[0]!.callback).toBe(`${kit.reports}/vonage?token=${REPORT_SECRET}`)
      const response = await fetch(vonage.deliveryReport(sms.messageId, 'delivered', { format }))
      expect(response.status).toBe(200)
      expect(await kit.pinState(pinId)).toMatchObject({ status: 'DELIVERED', deliveryStatus: 'DELIVERED' })
    },
  )

  it('Vonage: signed DLRs are applied; a forged signature or token is refused (401)', async () => {
    const signatureSecret = 'vonage-signature-secret-0123'
    const kit = await servedKit({ sms: vonageSms({ signatureSecret }) })
    const { pinId, sms } = await kit.send()
    expect(vonage.messages[0]!.callback).toBe(`${kit.reports}/vonage`)
    const forged = await fetch(
      vonage.deliveryReport(sms.messageId, 'delivered', { signatureSecret, forged: true }),
    )
    expect(forged.status).toBe(401)
    const unsigned = await fetch(vonage.deliveryReport(sms.messageId, 'delivered'))
    expect(unsigned.status).toBe(401)
    expect(await kit.pinState(pinId)).toMatchObject({ deliveryStatus: 'ACCEPTED' })
    const signed = await fetch(vonage.deliveryReport(sms.messageId, 'undeliverable', { signatureSecret }))
    expect(signed.status).toBe(200)
    expect(await kit.pinState(pinId)).toMatchObject({ status: 'FAILED', deliveryStatus: 'UNDELIVERABLE' })
  })

  it('a report for a message id the kit does not know is acknowledged and ignored', async () => {
    const kit = await servedKit({ sms: infobipSms() })
    const { pinId, sms } = await kit.send()
    const genuine = infobip.deliveryReport(sms.messageId, 'undeliverable')
    const body = JSON.parse(await genuine.text()) as { results: { messageId: string }[] }
    body.results[0]!.messageId = 'not-a-message-of-ours'
    const response = await fetch(genuine.url, {
      method: 'POST',
      headers: genuine.headers,
      body: JSON.stringify(body),
    })
    expect(await response.json()).toEqual({ received: 1, updated: 0, unchanged: 0, unknown: 1 })
    expect(await kit.pinState(pinId)).toMatchObject({ deliveryStatus: 'ACCEPTED' })
  })
})
