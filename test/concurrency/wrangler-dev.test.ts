/**
 * The demo's Workers twin under `wrangler dev` (what `npm run dev:workers` runs): real workerd,
 * real Durable Objects, over HTTP. It serves the demo, takes TWO_FACTOR_TEST_NUMBERS, and keeps the
 * attempt cap and single use when requests race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoServer } from '../helpers/demo-server.js'
import { startWorkersDevServer } from '../helpers/workers-dev-server.js'

const TEST_NUMBER = '+15005550006'
const TEST_PIN = '123456'

let wrangler: DemoServer | undefined
let origin = ''

// Shared with the e2e flows: the starter waits up to 120 s for workerd's first answer, and stops
// wrangler and workerd together (one process group), also when that answer never comes.
beforeAll(async () => {
  // The verify limit is opened up so the races below reach the attempt cap and the single-use gate:
  // a test number's verifies count per number (its sends are free), and at the default 1/3s one
  // verify per 3 s of the real clock would decide these races instead.
  wrangler = await startWorkersDevServer({
    vars: { TWO_FACTOR_TEST_NUMBERS: `${TEST_NUMBER}=${TEST_PIN}`, TWO_FACTOR_VERIFY_PIN_LIMIT: '1000/1m' },
  })
  origin = wrangler.url
}, 180_000)

afterAll(async () => {
  await wrangler?.stop()
})

const post = (path: string, body: unknown) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

async function testNumberPin(): Promise<string> {
  const response = await post('/2fa/pin', { phoneNumber: TEST_NUMBER })
  expect(response.status).toBe(201)
  return ((await response.json()) as { pinId: string }).pinId
}

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code

describe('npm run dev:workers (wrangler dev on workerd)', () => {
  it('serves the demo page, the widget, the config and the JWKS', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(200)
    const widget = await fetch(`${origin}/2fa/widget.js`)
    expect(widget.status).toBe(200)
    expect(widget.headers.get('Content-Type')).toMatch(/javascript/)
    expect(await (await fetch(`${origin}/2fa/config`)).json()).toMatchObject({ pinLength: 6 })
    expect(await (await fetch(`${origin}/2fa/.well-known/jwks.json`)).json()).toMatchObject({
      keys: [expect.objectContaining({ alg: 'EdDSA' })],
    })
  })

  it('takes TWO_FACTOR_TEST_NUMBERS, and 20 racing right PINs get exactly one token', async () => {
    const pinId = await testNumberPin()
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(`/2fa/pin/${pinId}/verify`, { pin: TEST_PIN })),
    )
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
  })

  it('keeps the attempt cap when 100 wrong PINs race', async () => {
    const pinId = await testNumberPin()
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => post(`/2fa/pin/${pinId}/verify`, { pin: '000000' })),
    )
    const codes = await Promise.all(responses.map(errorCode))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'PIN_NOT_FOUND')).toHaveLength(95)
  })
})
