/**
 * The operator console (/2fa/admin/) in real Chromium, on both runtimes: real sends and
 * verifications through the demo's API first (one verified, one left unverified, one to another
 * country, one refused by range velocity — which blocks the range — and one to a denied country),
 * then the page: sign in, the figures those flows left, lift the block, look a number up. Screenshots
 * (desktop 1280×800, phone 390×844 in dark mode) go to test/.artifacts/admin-dashboard/ and are
 * checked: not blank, and no sideways scrolling on the phone.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium } from '../helpers/chromium.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeSentTo, root, startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { startWorkersDevServer } from '../helpers/workers-dev-server.js'

const artifacts = join(root, 'test/.artifacts/admin-dashboard')
const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

// A denied country for a refusal, and a range limit of 2 so that a third send to one 1k range is
// refused and blocks the range. The IP limit is raised: every send here comes from 127.0.0.1.
const policies = {
  TWO_FACTOR_DENIED_COUNTRIES: 'DE',
  TWO_FACTOR_SEND_PER_RANGE_LIMIT: '2/1h',
  TWO_FACTOR_SEND_PER_IP_LIMIT: '100/1h',
}
const WORKERS_ADMIN_TOKEN = 'workers-admin-Qm3xV8pL2rT9kZ4wN7cB1hJ6gD3sYt'

interface Target {
  start: () => Promise<DemoServer>
  /** The admin token the server runs with. */
  token: (server: DemoServer) => string
}

// [label, target] tuples, so the label prints as is.
const targets: [string, Target][] = [
  [
    'the Node demo (npm start), with the development token it prints',
    {
      start: () => startDemoServer({ env: { ...policies, TWO_FACTOR_ADMIN_TOKEN: '' } }),
      token: (server) => {
        const printed = server.output().match(/operator console on (\S+) — admin token for this run: (\S+)/)
        if (!printed) throw new Error(`the demo printed no admin token:\n${server.output()}`)
        expect(printed[1]).toBe(`${server.url}/2fa/admin/`)
        return printed[2]!
      },
    },
  ],
  [
    'the Workers twin on wrangler dev, with TWO_FACTOR_ADMIN_TOKEN',
    {
      start: () =>
        startWorkersDevServer({ vars: { ...policies, TWO_FACTOR_ADMIN_TOKEN: WORKERS_ADMIN_TOKEN } }),
      token: () => WORKERS_ADMIN_TOKEN,
    },
  ],
]

let browser: Browser

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

describe.each(targets)('%s: the operator console in Chromium', (label, target) => {
  const runtime = label.includes('Workers') ? 'workers' : 'node'
  let server: DemoServer
  let token: string
  /** Same-size screenshots of an empty page: what "blank" weighs. */
  const blankBytes = new Map<string, number>()

  async function send(phoneNumber: string) {
    const response = await fetch(`${server.url}/2fa/pin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumber }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/2fa/admin/${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...init.headers },
    })

  beforeAll(async () => {
    server = await target.start()
    token = target.token(server)

    const verified = await send('+385911234567')
    expect(verified.status).toBe(201)
    const code = await codeSentTo(server, '+385911234567')
    const verify = await fetch(`${server.url}/2fa/pin/${verified.body.pinId}/verify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pin: code }),
    })
    expect(verify.status).toBe(200)
    expect((await send('+385911234568')).status).toBe(201)
    expect((await send('+38640123456')).status).toBe(201)
    const rangeRefused = await send('+385911234569')
    expect([rangeRefused.status, rangeRefused.body.error?.reason]).toEqual([403, 'RANGE_VELOCITY'])
    const countryRefused = await send('+4915123456789')
    expect([countryRefused.status, countryRefused.body.error?.reason]).toEqual([403, 'COUNTRY_NOT_ALLOWED'])
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
  })

  async function openSignedIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`${server.url}/2fa/admin/`)
    await page.getByLabel('Admin token').fill(token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('two-factor-dashboard [data-figure=sent]').waitFor({ timeout: 15_000 })
    return page
  }

  /** Saves the screenshot and checks it is no blank page: well over the weight of an empty one. */
  async function screenshot(page: Page, name: string): Promise<void> {
    const size = page.viewportSize()!
    const key = `${size.width}x${size.height}`
    if (!blankBytes.has(key)) {
      const blank = await page.context().newPage()
      await blank.setContent('<html><body></body></html>')
      blankBytes.set(key, (await blank.screenshot()).length)
      await blank.close()
    }
    const png = await page.screenshot({ fullPage: true })
    writeFileSync(join(artifacts, `${runtime}-${name}.png`), png)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.length).toBeGreaterThan(5 * blankBytes.get(key)!)
  }

  it('serves the page shell at /2fa/admin/ (and redirects /2fa/admin there) under a CSP with no inline code; its data needs the token', async () => {
    const redirect = await fetch(`${server.url}/2fa/admin`, { redirect: 'manual' })
    expect(redirect.status).toBe(308)
    expect(redirect.headers.get('location')).toBe('/2fa/admin/')
    const shell = await fetch(`${server.url}/2fa/admin/`)
    expect(shell.status).toBe(200)
    const csp = shell.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(shell.headers.get('access-control-allow-origin')).toBe(null)
    expect(await shell.text()).toContain('<script type="module" src="./dashboard.js"></script>')
    expect((await fetch(`${server.url}/2fa/admin/dashboard.js`)).headers.get('content-type')).toContain(
      'text/javascript',
    )
    expect((await fetch(`${server.url}/2fa/admin/summary`)).status).toBe(401)
  })

  it('desktop: sign in, the figures the flows left, look a number up, lift the block — without a CSP violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })
    await context.addInitScript(() => {
      const seen: string[] = []
      Object.assign(window, { cspViolations: seen })
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      )
    })
    try {
      const page = await openSignedIn(context)
      const dashboard = page.locator('two-factor-dashboard')
      const cellsOf = (selector: string) =>
        dashboard
          .locator(selector)
          .first()
          .evaluate((row) =>
            [...row.children].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()),
          )
      const textOf = async (selector: string) =>
        ((await dashboard.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()

      // The last day, by default: two sends to HR (one verified), one to SI; two refusals.
      expect(await textOf('[data-figure=sent]')).toBe('3')
      expect(await textOf('[data-figure=verified]')).toBe('1')
      expect(await textOf('[data-figure=conversion]')).toBe('33.3%')
      expect(await textOf('[data-figure=blocks]')).toBe('1')
      // Requested counts every send that reached the policies, refused ones too; delivered stays 0:
      // the console provider sends no delivery reports.
      expect(await dashboard.locator('.funnel td[data-step]').allTextContents()).toEqual(['5', '3', '0', '1'])
      // Country, requested, sent, delivered, verified, conversion (then spend).
      expect((await cellsOf('tr[data-country=HR]')).slice(0, 6)).toEqual([
        'Croatia (HR)',
        '3',
        '2',
        '0',
        '1',
        '50%',
      ])
      expect((await cellsOf('tr[data-country=SI]')).slice(0, 6)).toEqual([
        'Slovenia (SI)',
        '1',
        '1',
        '0',
        '0',
        '0%',
      ])
      expect((await cellsOf('tr[data-country=DE]')).slice(0, 6)).toEqual([
        'Germany (DE)',
        '1',
        '0',
        '0',
        '0',
        '–',
      ])
      // Provider, sent, delivered, undelivered, failed calls, verified, conversion (then send time).
      expect((await cellsOf('tr[data-provider=console]')).slice(0, 7)).toEqual([
        'console',
        '3',
        '0',
        '0',
        '0',
        '1',
        '33.3%',
      ])
      // Reason (in words and as the code), count.
      expect((await cellsOf('tr[data-reason=RANGE_VELOCITY]')).slice(0, 2)).toEqual([
        'Too many sends to one number range RANGE_VELOCITY',
        '1',
      ])
      expect((await cellsOf('tr[data-reason=COUNTRY_NOT_ALLOWED]')).slice(0, 2)).toEqual([
        'Country not allowed COUNTRY_NOT_ALLOWED',
        '1',
      ])
      expect(await textOf('tr[data-scope="range:385911234"]')).toContain('Too many sends to one number range')
      // Spend today against the ceiling (100 by default), as the API reports it.
      const spend = (await (await admin('spend')).json()) as { spent: number; ceiling: number }
      expect(spend.spent).toBeGreaterThan(0)
      expect(
        await dashboard.locator('meter').evaluate((meter: HTMLMeterElement) => [meter.value, meter.max]),
      ).toEqual([spend.spent, spend.ceiling])
      await screenshot(page, 'desktop')

      await dashboard.getByLabel('Phone number (international)').fill('+385 91 234 5678')
      await dashboard.getByRole('button', { name: 'Look up' }).click()
      await dashboard.getByText('No verifications of +385912345678 are on record.').waitFor()
      const history = (await (await admin('verifications?phoneNumber=%2B385911234567')).json()) as {
        verifications: { pinId: string; status: string }[]
      }
      await dashboard.getByLabel('Phone number (international)').fill('+385911234567')
      await dashboard.getByRole('button', { name: 'Look up' }).click()
      if (history.verifications.length > 0) {
        const row = dashboard.locator(`tr[data-pin-id="${history.verifications[0]!.pinId}"]`)
        await row.waitFor()
        const cells = await row.evaluate((tr) => [...tr.children].map((cell) => cell.textContent!.trim()))
        expect(cells[1]!.toLowerCase()).toContain(
          history.verifications[0]!.status.toLowerCase().replace(/_/g, ' '),
        )
        expect(cells[6]).toBe('Croatia (HR)')
      } else {
        await dashboard.getByText('No verifications of +385911234567 are on record.').waitFor()
      }

      await dashboard.getByRole('button', { name: 'Lift the block on range:385911234' }).click()
      const dialog = dashboard.getByRole('dialog', { name: 'Lift the block on range:385911234?' })
      await dialog.waitFor()
      await dialog.getByRole('button', { name: 'Lift block' }).click()
      await dashboard.getByText('No active blocks.').waitFor()
      expect(await textOf('[role=status]')).toBe('Block on range:385911234 lifted.')
      expect(((await (await admin('blocks')).json()) as { blocks: unknown[] }).blocks).toEqual([])

      expect(
        await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
      ).toEqual([])
      // The token stays in the tab's sessionStorage and never reaches a URL.
      expect(page.url()).toBe(`${server.url}/2fa/admin/`)
      expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0)
    } finally {
      await context.close()
    }
  })

  it('phone, 390×844 in dark mode: no sideways scrolling, axe finds no violation', async () => {
    // bypassCSP only to inject axe-core for the check; the desktop test runs under the real CSP.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
      bypassCSP: true,
    })
    try {
      const page = await openSignedIn(context)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await screenshot(page, 'phone-dark')
      await page.addScriptTag({ path: axeScript })
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document) => Promise<any> } }).axe
        const results = await axe.run(document)
        return results.violations.map(
          (violation: { id: string; nodes: { target: unknown }[] }) =>
            `${violation.id}: ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
        )
      })
      expect(violations).toEqual([])
      // Signed out too.
      await page.locator('two-factor-dashboard').getByRole('button', { name: 'Sign out' }).click()
      await page.locator('two-factor-dashboard #token').waitFor()
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await screenshot(page, 'phone-dark-signed-out')
    } finally {
      await context.close()
    }
  })
})
