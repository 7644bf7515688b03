import { gzipSync } from 'node:zlib'
import { AsYouType, getExampleNumber } from 'libphonenumber-js/core'
import { describe, expect, it } from 'vitest'
import { expandWidgetMetadata } from '../../widget/phone-number.js'
import { widgetMetadata, widgetRoutes } from './widget-routes.js'

const files: Record<string, string> = {
  'two-factor-auth.js': 'export const widget = 1',
  'two-factor-auth-phone-number-AbC123.js': 'export const phone = 1',
}

function routes(allowedCountries: readonly string[] | null = null) {
  return widgetRoutes({ loadScript: async (file) => files[file], version: '1.2.3', allowedCountries })
}

describe('GET /widget.js', () => {
  it('is JavaScript, immutable for a year when asked for with the current version', async () => {
    const response = await routes().request('/widget.js?v=1.2.3')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*')
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(await response.text()).toBe(files['two-factor-auth.js'])
  })

  it('without the version (or with another) revalidates every time, cheaply with its ETag', async () => {
    const app = routes()
    for (const url of ['/widget.js', '/widget.js?v=1.0.0']) {
      const first = await app.request(url)
      expect(first.headers.get('Cache-Control')).toBe('public, no-cache')
      const etag = first.headers.get('ETag')
      expect(etag).toMatch(/^"[^"]+"$/)
      const again = await app.request(url, { headers: { 'If-None-Match': etag! } })
      expect(again.status).toBe(304)
      expect(await again.text()).toBe('')
      expect(again.headers.get('Access-Control-Allow-Origin')).toBe('*')
    }
  })

  it('says what to do when the widget was not built, in the server log and in the browser console', async () => {
    const app = widgetRoutes({
      loadScript: async () => {
        throw new Error('the widget is not built. Run `npm run build:widget` first.')
      },
      version: '1',
      allowedCountries: null,
    })
    const logged: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void logged.push(args.join(' '))
    try {
      const response = await app.request('/widget.js')
      expect(response.status).toBe(500)
      expect(response.headers.get('Content-Type')).toContain('text/javascript')
      expect(await response.text()).toContain(
        'console.error("two-factor-kit: the widget is not built. Run `npm run build:widget` first.")',
      )
      expect(logged.join()).toContain('npm run build:widget')
    } finally {
      console.error = original
    }
  })

  it('refuses a configuration without a loader or a version', () => {
    expect(() => widgetRoutes({ version: '1', allowedCountries: null } as never)).toThrow(/loadScript/)
    expect(() => widgetRoutes({ loadScript: async () => '', version: '', allowedCountries: null })).toThrow(
      /version/,
    )
  })
})

describe('chunks', () => {
  it('are served immutable (their names carry content hashes); unknown or odd names are 404', async () => {
    const app = routes()
    const chunk = await app.request('/two-factor-auth-phone-number-AbC123.js')
    expect(chunk.status).toBe(200)
    expect(chunk.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(await chunk.text()).toBe('export const phone = 1')
    expect((await app.request('/two-factor-auth-nope-1.js')).status).toBe(404)
    expect((await app.request('/two-factor-auth-..%2Fpackage.js')).status).toBe(404)
  })
})

describe('GET /metadata.json', () => {
  it('is cacheable JSON with an ETag', async () => {
    const response = await routes(['HR']).request('/metadata.json')
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600, stale-while-revalidate=86400')
    expect(response.headers.get('ETag')).toBeTruthy()
    const body = (await response.json()) as ReturnType<typeof widgetMetadata>
    expect(Object.keys(body.metadata.countries)).toEqual(['HR'])
    expect(body.examples).toEqual({ HR: expect.any(String) })
  })

  it('keeps the main country of a shared calling code, which holds the formats', () => {
    const { metadata } = widgetMetadata(['CA'])
    expect(Object.keys(metadata.countries).sort()).toEqual(['CA', 'US'])
    expect(metadata.country_calling_codes).toEqual({ 1: ['US', 'CA'] })
    expect(new AsYouType('CA', expandWidgetMetadata(metadata)).input('6135550123')).toBe('(613) 555-0123')
  })

  it('formats every country’s example as the full metadata does, with a third fewer bytes', async () => {
    const { metadata: compact, examples } = widgetMetadata(null)
    const bytes = JSON.stringify(compact)
    // As the widget reads it: the fields left out for being derivable put back.
    const metadata = expandWidgetMetadata(JSON.parse(bytes) as typeof compact)
    const full = (await import('libphonenumber-js/min/metadata')).default
    const fullCountries = full.countries as unknown as Record<string, unknown[]>
    for (const [country, entry] of Object.entries(
      metadata.countries as unknown as Record<string, unknown[]>,
    )) {
      expect(entry.slice(0, 2), country).toEqual(fullCountries[country]!.slice(0, 2))
    }
    let compared = 0
    for (const country of Object.keys(examples)) {
      const example = getExampleNumber(country as never, examples, full)
      if (!example) continue
      const national = example.formatNational().replace(/\D/g, '')
      expect(new AsYouType(country as never, metadata).input(national), country).toBe(
        new AsYouType(country as never, full).input(national),
      )
      expect(new AsYouType(undefined, metadata).input(example.number), country).toBe(
        new AsYouType(undefined, full).input(example.number),
      )
      compared++
    }
    expect(compared).toBeGreaterThan(200)
    const gzipped = (value: unknown) => gzipSync(JSON.stringify(value), { level: 9 }).length
    expect(gzipSync(bytes, { level: 9 }).length).toBeLessThan(gzipped(full) * 0.7)
  })

  it('leaves out what nobody asked for', () => {
    const { metadata, examples } = widgetMetadata(['HR', 'XX'])
    expect(Object.keys(metadata.countries)).toEqual(['HR'])
    expect(Object.keys(examples)).toEqual(['HR'])
  })
})
