/**
 * demo/examples/express: Express 5 with the usual `app.use(express.json())` before the kit, mounted with `app.use('/2fa', nodeHandler(phone))`, and its own /checkout route behind the kit's verifier — installed from the packed tarball and started with `npm start`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import { expectTheFlow, installTimed, startExample, type RunningExample } from './support.js'

let app: InstalledApp | undefined
let server: RunningExample | undefined

beforeAll(async () => {
  app = installTimed('express')
  server = await startExample(app, 'express')
}, 600_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

describe('demo/examples/express', () => {
  it('serves the flow at /2fa: a test number ends in a token that opens /checkout once; refusals are the kit’s codes', async () => {
    await expectTheFlow(server!.url)
  })
})
