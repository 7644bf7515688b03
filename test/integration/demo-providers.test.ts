/**
 * The demo switched to Vonage with failover to Twilio, and Twilio number lookup, by environment
 * variables alone: one demo process, the Vonage and Twilio fakes, real HTTP throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signTwilioRequest, startTwilioFake, type TwilioFake } from '../fakes/twilio.js'
import { startVonageFake, type VonageFake } from '../fakes/vonage.js'
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { freePort } from '../helpers/ports.js'

const REPORT_SECRET = 'demo-vonage-report-secret-0123456789'

let vonage: VonageFake
let twilio: TwilioFake
let demo: DemoServer | undefined
let base = ''
const output = () => demo?.output() ?? ''

// Longer than the starter's own 60 s wait, so a demo that never answers fails with its output.
beforeAll(async () => {
  ;[vonage, twilio] = await Promise.all([startVonageFake(), startTwilioFake()])
  const port = await freePort()
  demo = await startDemoServer({
    port,
    env: {
      SMS_PROVIDER: 'vonage,twilio',
      NUMBER_LOOKUP: 'twilio',
      VONAGE_API_KEY: vonage.apiKey,
      VONAGE_API_SECRET: vonage.apiSecret,
      VONAGE_FROM: 'Acme',
      VONAGE_BASE_URL: vonage.url,
      VONAGE_DELIVERY_REPORT_SECRET: REPORT_SECRET,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_BASE_URL: twilio.url,
      TWILIO_LOOKUP_BASE_URL: twilio.url,
      TWO_FACTOR_DELIVERY_REPORT_URL: `http://127.0.0.1:${port}/2fa/reports`,
    },
  })
  base = demo.url
}, 90_000)

afterAll(async () => {
  await demo?.stop()
  await Promise.all([vonage?.close(), twilio?.close()])
})

const sendPin = (phoneNumber: string) =>
  fetch(`${base}/2fa/pin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ phoneNumber }),
  })
const pinState = async (pinId: string) =>
  (await (await fetch(`${base}/2fa/pin/${pinId}`)).json()) as { status: string; deliveryStatus: string }

interface Answer {
  pinId: string
  sms: { provider: string; messageId: string }
}

describe('the demo with SMS_PROVIDER=vonage,twilio and NUMBER_LOOKUP=twilio', () => {
  it('looks the number up at Twilio, sends through Vonage, and takes its receipt', async () => {
    const response = await sendPin('+385911230001')
    expect(response.status, output()).toBe(201)
    const answer = (await response.json()) as Answer
    expect(answer.sms.provider).toBe('vonage')
    expect(twilio.lookups).toContain('+385911230001')
    const sms = vonage.messages.find((message) => message.messageId === answer.sms.messageId)!
    expect(sms.to).toBe('385911230001')
    expect(sms.callback).toBe(`${base}/2fa/reports/vonage?token=${REPORT_SECRET}`)

    expect((await fetch(vonage.deliveryReport(sms.messageId, 'delivered', { format: 'GET' }))).status).toBe(
      200,
    )
    expect(await pinState(answer.pinId)).toMatchObject({ status: 'DELIVERED' })
    const pin = /^(\d{6}) /.exec(sms.text)?.[1]
    const verified = await fetch(`${base}/2fa/pin/${answer.pinId}/verify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pin }),
    })
    expect(verified.status).toBe(200)
  })

  it('fails over to Twilio when Vonage is down, and takes a signed Twilio callback', async () => {
    vonage.failNext('send', 'server-error', 2)
    const response = await sendPin('+385911230002')
    expect(response.status, output()).toBe(201)
    const answer = (await response.json()) as Answer
    expect(answer.sms.provider).toBe('twilio')
    const sms = twilio.messages.find((message) => message.sid === answer.sms.messageId)!
    expect(sms.statusCallback).toBe(`${base}/2fa/reports/twilio`)

    const forged = await fetch(twilio.deliveryReport(sms.sid, 'delivered', { forged: true }))
    expect(forged.status).toBe(401)
    expect(await pinState(answer.pinId)).toMatchObject({ status: 'SENT' })
    const params = new URLSearchParams({
      AccountSid: twilio.accountSid,
      MessageSid: sms.sid,
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
    })
    const signed = await fetch(sms.statusCallback!, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': signTwilioRequest(twilio.authToken, sms.statusCallback!, params),
      },
      body: params,
    })
    expect(signed.status).toBe(200)
    expect(await pinState(answer.pinId)).toMatchObject({ status: 'FAILED', deliveryStatus: 'UNDELIVERABLE' })
  })

  it('refuses a VoIP number after the Twilio lookup, and neither provider sends', async () => {
    twilio.numbers.set('+385911230003', 'nonFixedVoip')
    const sentBefore = vonage.messages.length + twilio.messages.length
    const response = await sendPin('+385911230003')
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({
      error: { code: 'NUMBER_TYPE_NOT_ALLOWED', numberType: 'voip' },
    })
    expect(vonage.messages.length + twilio.messages.length).toBe(sentBefore)
    expect([...vonage.violations, ...twilio.violations]).toEqual([])
  })
})
