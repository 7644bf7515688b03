/**
 * The demo as a newcomer tries it, in Chromium: sign up with a phone number, read the code from
 * the dev inbox, type it, land on /account (which the server shows only after verifying the token).
 * The same flows run against both runtimes: the Node demo (`npm start`, memory store) and its
 * Workers twin under `wrangler dev` (`npm run dev:workers`, real workerd and Durable Objects).
 */
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../helpers/chromium.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeSentTo, startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { startWorkersDevServer } from '../helpers/workers-dev-server.js'

// [label, starter]: tuples, so the label prints as is (`$name` of an object row is quoted and cut).
const targets: [string, () => Promise<DemoServer>][] = [
  ['the Node demo (npm start)', () => startDemoServer()],
  ['the Workers twin on wrangler dev (npm run dev:workers)', () => startWorkersDevServer()],
]

let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

describe.each(targets)('%s, in Chromium', (_label, start) => {
  let server: DemoServer

  // Longer than the starter's own 120 s wait, so a slow first workerd start fails with its output
  // (and its process group stopped) rather than with a bare hook timeout.
  beforeAll(async () => {
    server = await start()
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
  })

  async function startSignUp(page: Page, phoneTyped: string): Promise<number> {
    await page.goto(server.url)
    await page.getByLabel('Name').fill('Ana Horvat')
    await page.getByLabel('Email').fill('ana@example.com')
    // Playwright's CSS pierces open shadow roots: these are the widget's own inputs.
    await page.locator('two-factor-auth #phone').click()
    await page.keyboard.type(phoneTyped)
    const sentAt = Date.now() - 1_000
    await page.locator('two-factor-auth button[type=submit]').click()
    await page.locator('two-factor-auth #pin').waitFor()
    return sentAt
  }

  async function finishSignUp(page: Page): Promise<void> {
    // On a timeout, say where the widget stood and what the server printed: a bare locator
    // timeout tells nothing about which step of the flow went wrong.
    await page
      .locator('two-factor-auth [part=verified]')
      .waitFor({ timeout: 15_000 })
      .catch(async (error: Error) => {
        const widget = await page
          .locator('two-factor-auth')
          .evaluate((element) => element.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim())
        throw new Error(
          `${error.message}\nthe widget shows: ${widget}\nthe server printed:\n${server.output().slice(-3000)}`,
        )
      })
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${server.url}/account`)
    expect(await page.locator('h1').textContent()).toBe('Welcome, Ana Horvat!')
  }

  it('number → code from the inbox → /account', async () => {
    const page = await browser.newPage()
    try {
      const sentAt = await startSignUp(page, '+385 91 234 5678')
      expect(await page.locator('two-factor-auth .sent').textContent()).toContain('+385')
      const code = await codeSentTo(server, '+385912345678', sentAt)
      await page.keyboard.type(code) // the PIN input has focus; the widget submits by itself
      await finishSignUp(page)
      expect(await page.locator('main').textContent()).toContain('+385912345678')
    } finally {
      await page.close()
    }
  })

  it('a wrong code, then the right one (waiting out the verify rate limit if it hits)', async () => {
    const page = await browser.newPage()
    try {
      const sentAt = await startSignUp(page, '+385 92 345 6789')
      const code = await codeSentTo(server, '+385923456789', sentAt)
      const wrong = code.replace(/.$/, (digit) => String((Number(digit) + 1) % 10))
      await page.keyboard.type(wrong)
      await page.locator('two-factor-auth #pin-error').waitFor()
      expect(await page.locator('two-factor-auth #pin-error').textContent()).toMatch(
        /^Wrong code\. \d+ attempts? left\.$/,
      )
      // Typed at once, the right code meets the server's verify limit (1 per 3 s per number): the
      // widget shows the wait, then checks the code by itself when it is over.
      await page.keyboard.type(code)
      await finishSignUp(page)
    } finally {
      await page.close()
    }
  })

  it('/account refuses a forged token and leads back', async () => {
    const page = await browser.newPage()
    try {
      await page.goto(server.url)
      await page.evaluate(() => {
        const form = document.querySelector('form')!
        form.noValidate = true
        const forged = document.createElement('input')
        forged.type = 'hidden'
        forged.name = 'phone_token'
        forged.value = 'eyJhbGciOiJub25lIn0.eyJwaG9uZV9udW1iZXIiOiIrMzg1OTEifQ.'
        form.append(forged)
      })
      await page.getByLabel('Name').fill('Mallory')
      await page.getByLabel('Email').fill('m@example.com')
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL(`${server.url}/account`)
      expect(await page.locator('h1').textContent()).toBe('We couldn’t confirm your phone number')
      await page.getByRole('link', { name: 'Back to sign-up' }).click()
      await page.waitForURL(`${server.url}/`)
    } finally {
      await page.close()
    }
  })
})
