/**
 * What a visitor downloads of the widget on a site that allows one country, through a whole
 * verification: the files the size bench adds up as "widget complete, one country"
 * (test/bench/widget-size.ts). With one country the widget shows it and offers no list, so the
 * list's chunk is never fetched.
 */
import type { Browser } from 'playwright-core'
import { launchChromium } from '../helpers/chromium.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeSentTo, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

let browser: Browser
let server: DemoServer

beforeAll(async () => {
  server = await startDemoServer({ env: { TWO_FACTOR_ALLOWED_COUNTRIES: 'HR' } })
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('a site that allows one country', () => {
  it('downloads the entry, the phone-number chunk and metadata.json through a whole verification, never the country list', async () => {
    const page = await browser.newPage({ locale: 'en-US' })
    const widgetFiles: string[] = []
    page.on('requestfinished', (request) => {
      const path = new URL(request.url()).pathname
      if (/^\/2fa\/(widget\.js|two-factor-auth-[\w-]+\.js|metadata\.json)$/.test(path))
        widgetFiles.push(path.replace(/-[\w-]{8}\.js$/, '.js'))
    })
    try {
      await page.goto(server.url)
      // Playwright's CSS pierces open shadow roots: these are the widget's own parts.
      // The calling code shows once the phone metadata is in.
      await page.locator('two-factor-auth .country', { hasText: '+385' }).waitFor()
      expect(await page.locator('two-factor-auth #country').count()).toBe(0)
      await page.locator('two-factor-auth .country').hover()
      await page.locator('two-factor-auth #phone').click()
      await page.keyboard.type('91 234 5670')
      await page.locator('two-factor-auth button[type=submit]').click()
      await page.locator('two-factor-auth #pin').waitFor()
      await page.keyboard.type(await codeSentTo(server, '+385912345670'))
      await page.locator('two-factor-auth [part=verified]').waitFor({ timeout: 15_000 })
      expect(widgetFiles.sort()).toEqual([
        '/2fa/metadata.json',
        '/2fa/two-factor-auth-phone-number.js',
        '/2fa/widget.js',
      ])
    } finally {
      await page.close()
    }
  })
})
