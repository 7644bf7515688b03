/**
 * demo/examples/bun: the kit in a Hono app served by Bun.serve, the Node entry as it is — installed
 * from the packed tarball and run by the repository's own bun.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import {
  expectTheFlow,
  expectThePerIpLimit,
  expectTheWidgetFiles,
  repositoryBinary,
  startRuntimeExample,
  type RunningExample,
} from './edge-flow.js'
import { installTimed } from './support.js'

let app: InstalledApp | undefined
let server: RunningExample | undefined

beforeAll(async () => {
  app = installTimed('bun')
  server = await startRuntimeExample(app, 'bun', repositoryBinary('bun'), ['server.ts'])
}, 600_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

describe('demo/examples/bun', () => {
  it('serves the flow at /2fa: a test number ends in a token that opens /checkout once', async () => {
    await expectTheFlow(server!.url)
  })

  it('serves the widget’s files from the installed package', async () => {
    await expectTheWidgetFiles(server!.url)
  })

  it('reads the caller’s IP from Bun’s server: the per-IP send limit holds', async () => {
    await expectThePerIpLimit(server!.url)
  })
})
