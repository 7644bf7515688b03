/**
 * The demo server as users run it (`tsx --conditions=two-factor-kit:source demo/server.ts`, as `npm start` does),
 * switched to Infobip by environment variables alone and pointed at the local Infobip fake. Over
 * real HTTP: ask for a PIN, read it from the fake, verify it, use the token on the demo site, and
 * let the fake's delivery report reach the demo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../server/core/verifier.js'
import { startInfobipFake, type InfobipFake } from '../fakes/infobip.js'
import { MOBILE_HR } from '../helpers/kit.js'
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { freePort } from '../helpers/ports.js'

const REPORT_SECRET = 'demo-report-secret-0123456789abcdef'

let infobip: InfobipFake
let demo: DemoServer | undefined
let base = ''
const output = () => demo?.output() ?? ''

// Longer than the starter's own 60 s wait, so a demo that never answers fails with its output.
beforeAll(async () => {
  infobip = await startInfobipFake()
  // The delivery-report URL names the demo's own port, so the port is chosen first.
  const port = await freePort()
  demo = await startDemoServer({
    port,
    env: {
      SMS_PROVIDER: 'infobip',
      INFOBIP_BASE_URL: infobip.url,
      INFOBIP_API_KEY: infobip.apiKey,
      INFOBIP_DELIVERY_REPORT_SECRET: REPORT_SECRET,
      TWO_FACTOR_DELIVERY_REPORT_URL: `http://127.0.0.1:${port}/2fa/reports`,
      TWO_FACTOR_ALLOWED_ORIGINS: 'https://shop.example',
    },
  })
  base = demo.url
}, 90_000)

afterAll(async () => {
  await demo?.stop()
  await infobip?.close()
})

const postJson = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('the demo with SMS_PROVIDER=infobip, against the Infobip fake', () => {
  it('sends the PIN through Infobip, verifies it, and the token opens the account page', async () => {
    const sent = await postJson('/2fa/pin', { phoneNumber: MOBILE_HR })
    expect(sent.status, output()).toBe(201)
    const answer = (await sent.json()) as { pinId: string; sms: { provider: string; messageId: string } }
    expect(answer.sms.provider).toBe('infobip')

    expect(infobip.messages).toHaveLength(1)
    const sms = infobip.messages[0]!
    expect(sms.to).toBe(MOBILE_HR.slice(1))
    const pin = /^(\d{6}) /.exec(sms.text)?.[1]
    expect(pin).toBeDefined()
    expect(sms.text.endsWith(`\n@shop.example #${pin}`)).toBe(true)
    expect(infobip.violations).toEqual([])

    const verified = await postJson(`/2fa/pin/${answer.pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
    const { token } = (await verified.json()) as { token: string }

    // Checked as a separate service would: against the published keys.
    const verifier = createVerifier({
      jwksUrl: `${base}/2fa/.well-known/jwks.json`,
      issuer: 'two-factor-kit',
      audience: 'two-factor-kit-dev',
    })
    expect((await verifier.verify(token)).phoneNumber).toBe(MOBILE_HR)

    // The demo site's account page opens with the token, and only with it.
    const openAccount = (phoneToken: string) =>
      fetch(`${base}/account`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ phone_token: phoneToken }),
        redirect: 'manual',
      })
    const account = await openAccount(token)
    const page = await account.text()
    expect(account.status, page).toBe(200)
    expect(account.headers.get('content-type')).toMatch(/text\/html/)
    expect(page).toContain(MOBILE_HR)
    const forged = await openAccount(`${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`)
    expect(forged.status).not.toBe(200)
  })

  it("takes the fake's delivery report: GET /2fa/pin/:id shows DELIVERED", async () => {
    const sent = await postJson('/2fa/pin', { phoneNumber: '+385911234568' })
    expect(sent.status, output()).toBe(201)
    const { pinId, sms } = (await sent.json()) as { pinId: string; sms: { messageId: string } }
    const message = infobip.messages.find((candidate) => candidate.messageId === sms.messageId)!
    expect(message.deliveryUrl).toBe(`${base}/2fa/reports/infobip?token=${REPORT_SECRET}`)

    const before = (await (await fetch(`${base}/2fa/pin/${pinId}`)).json()) as { status: string }
    expect(before.status).toBe('SENT')
    const report = await infobip.sendDeliveryReport(sms.messageId, 'delivered')
    expect(report.status).toBe(200)
    expect(await report.json()).toMatchObject({ received: 1, updated: 1 })
    const after = (await (await fetch(`${base}/2fa/pin/${pinId}`)).json()) as {
      status: string
      deliveryStatus: string
    }
    expect(after).toMatchObject({ status: 'DELIVERED', deliveryStatus: 'DELIVERED' })
  })
})
