/**
 * The demo sets `allowedOrigins` to its own origin, so its SMS ends with the WebOTP line
 * (`@host #PIN`) that lets Chrome on Android fill the code in; TWO_FACTOR_ALLOWED_ORIGINS wins.
 */
import { describe, expect, it } from 'vitest'
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { startWorkersDevServer } from '../helpers/workers-dev-server.js'

/** Asks the demo for a code, then reads that SMS from the dev inbox. */
async function smsSentBy(server: DemoServer, phoneNumber: string): Promise<string> {
  const sent = await fetch(`${server.url}/2fa/pin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ phoneNumber }),
  })
  expect(sent.status, await sent.clone().text()).toBeLessThan(300)
  const deadline = Date.now() + 10_000
  for (;;) {
    const inbox = (await (await fetch(`${server.url}/dev/inbox.json`)).json()) as {
      to: string
      text: string
    }[]
    const message = inbox.find((entry) => entry.to === phoneNumber)
    if (message) return message.text
    if (Date.now() > deadline) throw new Error(`no SMS to ${phoneNumber}: ${JSON.stringify(inbox)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function withServer(start: () => Promise<DemoServer>, run: (server: DemoServer) => Promise<void>) {
  const server = await start()
  try {
    await run(server)
  } finally {
    await server.stop()
  }
}

describe('the demo’s SMS ends with the WebOTP line for its own origin', () => {
  it('on Node: @127.0.0.1:<PORT> #PIN, from HOST and PORT', async () => {
    await withServer(
      () => startDemoServer(),
      async (server) => {
        const text = await smsSentBy(server, '+385911234567')
        const pin = text.match(/\b(\d{6})\b/)![1]
        expect(text.split('\n').at(-1)).toBe(`@${new URL(server.url).host} #${pin}`)
      },
    )
  })

  it('on Node with TWO_FACTOR_ALLOWED_ORIGINS set: the first of those origins, not its own', async () => {
    await withServer(
      () =>
        startDemoServer({
          env: { TWO_FACTOR_ALLOWED_ORIGINS: 'https://shop.example,https://other.example' },
        }),
      async (server) => {
        const text = await smsSentBy(server, '+385911234568')
        expect(text).toMatch(/\n@shop\.example #(\d{6})$/)
        expect(text.match(/\b(\d{6})\b/)![1]).toBe(text.match(/#(\d{6})$/)![1])
      },
    )
  })

  it('on Workers: the DEMO_ORIGIN var (wrangler dev’s default address unless set)', async () => {
    await withServer(
      () => startWorkersDevServer(),
      async (server) => {
        const text = await smsSentBy(server, '+385911234569')
        const pin = text.match(/\b(\d{6})\b/)![1]
        expect(text.split('\n').at(-1)).toBe(`@127.0.0.1:8787 #${pin}`)
      },
    )
  }, 240_000)
})
