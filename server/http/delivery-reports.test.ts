import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startInfobipFake, type InfobipFake } from '../../test/fakes/infobip.js'
import { signTwilioRequest, startTwilioFake, type TwilioFake } from '../../test/fakes/twilio.js'
import { startVonageFake, type VonageFake } from '../../test/fakes/vonage.js'
import { deliveryReportRoutes } from './delivery-reports.js'
import { infobipProvider } from '../providers/infobip.js'
import { twilioProvider } from '../providers/twilio.js'
import { vonageProvider } from '../providers/vonage.js'
import type { SmsProvider } from '../providers/types.js'
import type { DeliveryStatus, PinRecord, TwoFactorStore } from '../stores/types.js'
import { memoryStore } from '../stores/memory.js'

const SECRET = 'report-secret-0123456789abcdef'
const PUBLIC = 'https://kit.example/2fa/reports'

function pinRecord(
  pinId: string,
  messageIds: string[],
  deliveryStatus: DeliveryStatus = 'ACCEPTED',
): PinRecord {
  const now = Date.now()
  return {
    pinId,
    phoneNumber: '+41793026727',
    pinMac: 'mac',
    testNumber: false,
    createdAt: now,
    expiresAt: now + 600_000,
    retainUntil: now + 3_600_000,
    attemptsRemaining: 5,
    lifecycle: 'ACTIVE',
    deliveryStatus,
    messageIds,
    resendAvailableAt: now + 30_000,
  }
}

describe('deliveryReportRoutes', () => {
  let infobip: InfobipFake
  let twilio: TwilioFake
  let vonage: VonageFake
  let providers: SmsProvider[]
  let store: TwoFactorStore
  let app: Hono

  beforeEach(async () => {
    ;[infobip, twilio, vonage] = await Promise.all([startInfobipFake(), startTwilioFake(), startVonageFake()])
    providers = [
      infobipProvider({ baseUrl: infobip.url, apiKey: infobip.apiKey, deliveryReportSecret: SECRET }),
      twilioProvider({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: '+15005550006',
        baseUrl: twilio.url,
      }),
      vonageProvider({
        apiKey: vonage.apiKey,
        apiSecret: vonage.apiSecret,
        from: 'Acme',
        baseUrl: vonage.url,
        deliveryReportSecret: SECRET,
      }),
    ]
    store = memoryStore()
    app = new Hono().route('/2fa/reports', deliveryReportRoutes({ providers, store }))
  })
  afterEach(async () => {
    await Promise.all([infobip.close(), twilio.close(), vonage.close()])
  })

  /** Sends through `provider` and stores a PIN that knows the message id, as the flow does. */
  async function sentPin(index: number, pinId: string): Promise<string> {
    const provider = providers[index]!
    const sent = await provider.send({
      to: '+41793026727',
      text: 'code 482913',
      reference: `${pinId}-1`,
      deliveryReportUrl: `${PUBLIC}/${provider.name}`,
    })
    await store.createPin(pinRecord(pinId, [sent.messageId], sent.status))
    return sent.messageId
  }

  const statusOf = async (pinId: string) => (await store.getPin(pinId))?.deliveryStatus

  it('updates the PIN from an authentic Infobip report', async () => {
    const messageId = await sentPin(0, 'pin-ib')
    const response = await app.fetch(infobip.deliveryReport(messageId, 'delivered'))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: 1, updated: 1, unchanged: 0, unknown: 0 })
    expect(await statusOf('pin-ib')).toBe('DELIVERED')
  })

  it('updates the PIN from a signed Twilio status callback', async () => {
    const messageId = await sentPin(1, 'pin-tw')
    const response = await app.fetch(twilio.deliveryReport(messageId, 'undeliverable'))
    expect(response.status).toBe(200)
    expect(await statusOf('pin-tw')).toBe('UNDELIVERABLE')
  })

  it('accepts Vonage receipts as GET query, POST form and POST JSON', async () => {
    const messageId = await sentPin(2, 'pin-vg')
    for (const [format, outcome, expected] of [
      ['GET', 'sent', 'SENT'],
      ['POST-form', 'failed', 'FAILED'],
      ['POST-json', 'delivered', 'DELIVERED'],
    ] as const) {
      await store.updatePin('pin-vg', { deliveryStatus: 'ACCEPTED' })
      const response = await app.fetch(vonage.deliveryReport(messageId, outcome, { format }))
      expect(response.status).toBe(200)
      expect(await statusOf('pin-vg')).toBe(expected)
    }
  })

  it('refuses a forged report with 401 and changes nothing', async () => {
    const ib = await sentPin(0, 'pin-ib')
    const tw = await sentPin(1, 'pin-tw')
    const vg = await sentPin(2, 'pin-vg')
    for (const request of [
      infobip.deliveryReport(ib, 'delivered', { forged: true }),
      twilio.deliveryReport(tw, 'delivered', { forged: true }),
      vonage.deliveryReport(vg, 'delivered', { forged: true }),
    ]) {
      const response = await app.fetch(request)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: { code: 'DELIVERY_REPORT_UNAUTHORIZED' } })
    }
    expect([await statusOf('pin-ib'), await statusOf('pin-tw'), await statusOf('pin-vg')]).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'ACCEPTED',
    ])
  })

  it('refuses a Twilio callback whose parameters were altered after signing', async () => {
    const messageId = await sentPin(1, 'pin-tw')
    const genuine = twilio.deliveryReport(messageId, 'undeliverable')
    const tampered = new URLSearchParams(await genuine.text())
    tampered.set('MessageStatus', 'delivered')
    const response = await app.fetch(
      new Request(genuine.url, { method: 'POST', headers: genuine.headers, body: tampered.toString() }),
    )
    expect(response.status).toBe(401)
    expect(await statusOf('pin-tw')).toBe('ACCEPTED')
  })

  it('refuses an authentic but malformed report with 400 and changes nothing', async () => {
    await sentPin(0, 'pin-ib')
    const response = await app.fetch(
      new Request(`${PUBLIC}/infobip?token=${SECRET}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"results": "nope"}',
      }),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_DELIVERY_REPORT' } })
    expect(await statusOf('pin-ib')).toBe('ACCEPTED')
  })

  it('answers 404 for a provider it does not know', async () => {
    const response = await app.fetch(new Request(`${PUBLIC}/sinch`, { method: 'POST', body: '{}' }))
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('acknowledges a report for an unknown message id and ignores it', async () => {
    const messageId = await sentPin(0, 'pin-ib')
    await sentPin(0, 'pin-other')
    const request = infobip.deliveryReport(messageId, 'delivered')
    const body = JSON.parse(await request.text()) as { results: Array<{ messageId: string }> }
    body.results[0]!.messageId = 'not-ours'
    const response = await app.fetch(
      new Request(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify(body) }),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: 1, updated: 0, unchanged: 0, unknown: 1 })
    expect(await statusOf('pin-ib')).toBe('ACCEPTED')
  })

  it('does not move a delivered PIN back on a late intermediate report', async () => {
    const messageId = await sentPin(0, 'pin-ib')
    await app.fetch(infobip.deliveryReport(messageId, 'delivered'))
    const late = await app.fetch(infobip.deliveryReport(messageId, 'sent'))
    expect(await late.json()).toMatchObject({ updated: 0, unchanged: 1 })
    expect(await statusOf('pin-ib')).toBe('DELIVERED')
  })

  it('uses publicUrl to check Twilio signatures behind a proxy', async () => {
    const messageId = await sentPin(1, 'pin-tw')
    const signed = twilio.deliveryReport(messageId, 'delivered')
    // What the app sees behind a TLS-terminating proxy: another scheme and host.
    const proxied = () =>
      new Request('http://10.0.0.5:8787/2fa/reports/twilio', {
        method: 'POST',
        headers: signed.headers,
        body: signed.clone().body,
        duplex: 'half',
      } as RequestInit)
    expect((await app.fetch(proxied())).status).toBe(401)
    const behindProxy = new Hono().route(
      '/2fa/reports',
      deliveryReportRoutes({ providers, store, publicBaseUrl: 'https://kit.example/2fa/reports/' }),
    )
    expect((await behindProxy.fetch(proxied())).status).toBe(200)
    const custom = new Hono().route(
      '/2fa/reports',
      deliveryReportRoutes({ providers, store, publicUrl: (_, provider) => `${PUBLIC}/${provider}` }),
    )
    expect((await custom.fetch(proxied())).status).toBe(200)
    expect(await statusOf('pin-tw')).toBe('DELIVERED')
  })

  it('refuses a body over the size limit', async () => {
    const limited = new Hono().route('/r', deliveryReportRoutes({ providers, store, maxBodyBytes: 100 }))
    const response = await limited.fetch(
      new Request(`https://kit.example/r/infobip?token=${SECRET}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ results: [], padding: 'x'.repeat(200) }),
      }),
    )
    expect(response.status).toBe(413)
  })

  it('takes reports over real HTTP, as posted by the Infobip fake', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    try {
      const { port } = server.address() as AddressInfo
      const sent = await providers[0]!.send({
        to: '+41793026727',
        text: 'code 482913',
        reference: 'pin-http-1',
        deliveryReportUrl: `http://127.0.0.1:${port}/2fa/reports/infobip`,
      })
      await store.createPin(pinRecord('pin-http', [sent.messageId]))
      expect(infobip.messages[0]?.deliveryUrl).toBe(
        `http://127.0.0.1:${port}/2fa/reports/infobip?token=${SECRET}`,
      )
      const response = await infobip.sendDeliveryReport(sent.messageId, 'delivered')
      expect(response.status).toBe(200)
      expect(await statusOf('pin-http')).toBe('DELIVERED')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('still checks Twilio signatures it computes against the documented vector', () => {
    const params = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    })
    expect(signTwilioRequest('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    )
  })
})
