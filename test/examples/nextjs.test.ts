/**
 * demo/examples/nextjs as a user runs it: installed from the packed tarball, `next build` (which
 * type-checks the page's `<two-factor-auth>` against `two-factor-kit/widget/react`), `next start`
 * in production with keys from `two-factor-kit keygen` and a test number, then the flow over HTTP
 * and in Chromium (the widget bundled by Next, the React handler): /2fa answers through the App Router route handler, the token opens /account once.
 *
 * The install and the build take minutes on a busy 2-core machine; their times are printed.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../helpers/chromium.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installExample, packedTarball, type InstalledApp } from '../helpers/packed-package.js'
import { freePort } from '../helpers/ports.js'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'

const TEST_NUMBER = '+15005550006'
const TEST_PIN = '123456'
const PAGE = 'app/phone-verification.tsx'

let app: InstalledApp | undefined
let build: { status: number | null; output: string }
let server: ProcessGroup | undefined
let url = ''

function timed<T>(what: string, work: () => T): T {
  const started = Date.now()
  try {
    return work()
  } finally {
    console.log(`nextjs example: ${what} took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}

function bin(name: string, args: string[], timeout = 600_000): { status: number | null; output: string } {
  const result = spawnSync(join(app!.dir, 'node_modules/.bin', name), args, {
    cwd: app!.dir,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NODE_OPTIONS: '', NEXT_TELEMETRY_DISABLED: '1' },
  })
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` }
}

beforeAll(async () => {
  timed('npm pack (or its cached tarball)', packedTarball)
  app = timed('npm install from the tarball', () => installExample('nextjs'))
  build = timed('next build', () => bin('next', ['build']))
  if (build.status !== 0) return // the first test reports the build's output
  const keys = Object.fromEntries(
    bin('two-factor-kit', ['keygen'])
      .output.split('\n')
      .map((line) => /^(TWO_FACTOR_\w+)='?(.*?)'?$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  )
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  server = await startProcessGroup({
    name: 'next start',
    command: join(app.dir, 'node_modules/.bin/next'),
    args: ['start', '-H', '127.0.0.1', '-p', String(port)],
    cwd: app.dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NEXT_TELEMETRY_DISABLED: '1',
      ...keys,
      TWO_FACTOR_ISSUER: url,
      TWO_FACTOR_AUDIENCE: 'nextjs-example',
      TWO_FACTOR_ALLOWED_COUNTRIES: 'US,HR',
      TWO_FACTOR_TEST_NUMBERS: `${TEST_NUMBER}=${TEST_PIN}`,
      // `next start` is production: a test number sends nothing, and the console provider is allowed
      // for it (no SMS account here).
      TWO_FACTOR_ALLOW_TEST_NUMBERS_IN_PRODUCTION: 'true',
      TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true',
    },
    ready: { url: `${url}/2fa/config` },
    readyWithinMs: 60_000,
  })
}, 1_200_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('the Next.js example (App Router)', () => {
  it('next build type-checks the page: <two-factor-auth> and its typed ontwo-factor-verified pass', () => {
    expect(build.status, build.output).toBe(0)
    expect(build.output).toMatch(/Finished TypeScript/)
  })

  it('tsc refuses a number for endpoint and an unknown field of the verified event in the page, at their lines', () => {
    const path = join(app!.dir, PAGE)
    const written = readFileSync(path, 'utf8')
    const wrong = written
      .replace('endpoint="/2fa"', 'endpoint={2}')
      .replace('event.detail.token', 'event.detail.phone')
    expect(wrong).not.toBe(written)
    writeFileSync(path, wrong)
    try {
      const { status, output } = bin('tsc', ['--noEmit', '-p', '.'], 300_000)
      expect(status, output).not.toBe(0)
      const errors = output.split('\n').filter((line) => /: error TS\d+/.test(line))
      const lineOf = (needle: string) => wrong.split('\n').findIndex((line) => line.includes(needle)) + 1
      expect(errors, output).toHaveLength(2)
      expect(errors.find((error) => error.includes(`${PAGE}(${lineOf('endpoint={2}')},`))).toMatch(
        /Type 'number' is not assignable to type 'string'/,
      )
      expect(errors.find((error) => error.includes(`${PAGE}(${lineOf('event.detail.phone')},`))).toMatch(
        /Property 'phone' does not exist on type 'VerifiedDetail'/,
      )
    } finally {
      writeFileSync(path, written)
    }
  }, 300_000)

  it(`over HTTP: a PIN for ${TEST_NUMBER} at /2fa, verified, gives a token that /account accepts once`, async () => {
    const sent = await post('/2fa/pin', { phoneNumber: TEST_NUMBER })
    expect(sent.status, JSON.stringify(sent.body)).toBe(201)
    const verified = await post(`/2fa/pin/${String(sent.body.pinId)}/verify`, { pin: TEST_PIN })
    expect(verified.status, JSON.stringify(verified.body)).toBe(200)
    const authorization = { Authorization: `Bearer ${String(verified.body.token)}` }
    expect(await post('/account', {}, authorization)).toEqual({
      status: 200,
      body: { phoneNumber: TEST_NUMBER },
    })
    const replay = await post('/account', {}, authorization)
    expect(replay.status).toBe(401)
    expect(replay.body).toMatchObject({ error: { code: 'TOKEN_ALREADY_USED' } })
    expect((await post('/account', {})).status).toBe(401)
  })

  it('the page is served; /2fa serves the phone metadata the widget asks for', async () => {
    const page = await fetch(url)
    expect(page.status).toBe(200)
    // The element itself is rendered in the browser (see the page's comment and the next test).
    expect(await page.text()).toContain('<h1>Sign up</h1>')
    const metadata = await fetch(`${url}/2fa/metadata.json`)
    expect(metadata.status).toBe(200)
    expect(metadata.headers.get('Content-Type')).toMatch(/json/)
  })

  it(`in Chromium: the widget bundled by Next verifies ${TEST_NUMBER}, and the React handler opens /account`, async () => {
    let browser: Browser | undefined
    try {
      browser = await launchChromium()
      const page = await browser.newPage()
      await page.goto(url)
      // React sets what the element has as a property (endpoint) and the rest as attributes.
      const element = page.locator('two-factor-auth[name="phone_token"][default-country="HR"]')
      await element.waitFor()
      expect(await element.evaluate((el) => (el as HTMLElement & { endpoint: string }).endpoint)).toBe('/2fa')
      // Playwright's CSS pierces open shadow roots: these are the widget's own inputs.
      await page.locator('two-factor-auth #phone').click()
      await page.keyboard.type(TEST_NUMBER)
      await page.locator('two-factor-auth button[type=submit]').click()
      await page.locator('two-factor-auth #pin').waitFor()
      await page.keyboard.type(TEST_PIN) // the widget submits a full code by itself
      await page
        .getByText(`Welcome, ${TEST_NUMBER}.`)
        .waitFor({ timeout: 15_000 })
        .catch(async (error: Error) => {
          const widget = await page
            .locator('two-factor-auth')
            .evaluate((element) => element.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim())
            .catch(() => '(no element)')
          throw new Error(
            `${error.message}\nthe widget shows: ${widget}\nthe server printed:\n${server!.output()}`,
          )
        })
    } finally {
      await browser?.close()
    }
  }, 60_000)
})
