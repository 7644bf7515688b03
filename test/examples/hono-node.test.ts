/**
 * demo/examples/hono-node: the README's "Using it in your app" as a whole app — the kit mounted at
 * /2fa in a Hono app, a route behind requireVerifiedPhone, serve() from the Node entry, and Hono's
 * typed client (client.ts) — installed from the packed tarball and run as a user would.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import {
  exampleEnv,
  expectTheFlow,
  installTimed,
  startExample,
  OTHER_TEST_NUMBER,
  TEST_PIN,
  type RunningExample,
} from './support.js'

let app: InstalledApp | undefined
let server: RunningExample | undefined

beforeAll(async () => {
  app = installTimed('hono-node')
  server = await startExample(app, 'hono-node')
}, 600_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

describe('demo/examples/hono-node', () => {
  it('type-checks with strict and exactOptionalPropertyTypes (`npm run check`): the app, the typed client and the SMS providers recipe', () => {
    const check = spawnSync('npm', ['run', 'check', '--silent'], {
      cwd: app!.dir,
      encoding: 'utf8',
      env: exampleEnv(),
    })
    expect(check.stdout + check.stderr).toBe('')
    expect(check.status).toBe(0)
  }, 60_000)

  it('serves the flow at /2fa: a test number ends in a token that opens /checkout once; refusals are the kit’s codes', async () => {
    await expectTheFlow(server!.url)
  })

  it('its typed client (client.ts, `hc<App>`) runs the flow against the server: POST /2fa/pin, verify, /checkout', () => {
    const run = spawnSync(
      'npm',
      ['run', 'client', '--silent', '--', server!.url, OTHER_TEST_NUMBER, TEST_PIN],
      {
        cwd: app!.dir,
        encoding: 'utf8',
        env: exampleEnv(),
      },
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toBe('code sent to +1 ••• ••• ••01')
    expect(JSON.parse(lines.at(-1)!)).toEqual({ status: 200, body: { phone: OTHER_TEST_NUMBER } })
  }, 60_000)
})
