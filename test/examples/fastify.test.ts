/**
 * demo/examples/fastify: Fastify 5 with the kit in its own scope under /2fa (`nodeHandler(phone, { basePath: '/2fa' })`), and its own /checkout route behind the kit's verifier — installed from the packed tarball and started with `npm start`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import { expectTheFlow, installTimed, startExample, type RunningExample } from './support.js'

let app: InstalledApp | undefined
let server: RunningExample | undefined

beforeAll(async () => {
  app = installTimed('fastify')
  server = await startExample(app, 'fastify')
}, 600_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

describe('demo/examples/fastify', () => {
  it('serves the flow at /2fa: a test number ends in a token that opens /checkout once; refusals are the kit’s codes', async () => {
    await expectTheFlow(server!.url)
  })
})

describe('demo/examples/fastify, the kit in its own scope', () => {
  it('answers a malformed JSON body and a form with the kit’s own codes, not Fastify’s', async () => {
    const send = (body: string, type: string) =>
      fetch(`${server!.url}/2fa/pin`, { method: 'POST', headers: { 'Content-Type': type }, body }).then(
        async (response) => ({ status: response.status, body: await response.json() }),
      )
    expect(await send('{"phoneNumber":', 'application/json')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JSON' } },
    })
    expect(await send('phoneNumber=%2B15005550006', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
    })
  })
})
