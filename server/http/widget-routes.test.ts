import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { AsYouType, getExampleNumber } from 'libphonenumber-js/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import examples from 'libphonenumber-js/mobile/examples'
import { createPhoneTools, expandWidgetMetadata } from '../../widget/phone-number.js'
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
    expect(body.examples).toMatch(/^\d+$/)
  })

  it('keeps the main country of a shared calling code, which holds the formats', () => {
    const { metadata } = widgetMetadata(['CA'])
    expect(Object.keys(metadata.countries).sort()).toEqual(['CA', 'US'])
    expect(metadata.country_calling_codes).toEqual({ 1: ['US', 'CA'] })
    expect(new AsYouType('CA', expandWidgetMetadata(metadata)).input('6135550123')).toBe('(613) 555-0123')
  })

  it('formats every country’s example as the full metadata does, with a third fewer bytes', async () => {
    const { metadata: compact, examples: packed } = widgetMetadata(null)
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
    // The placeholders, as the widget makes them from the packed examples.
    const tools = createPhoneTools(JSON.parse(JSON.stringify({ metadata: compact, examples: packed })))
    let compared = 0
    for (const country of Object.keys(examples)) {
      const example = getExampleNumber(country as never, examples, full)
      if (!example) continue
      expect(tools.example(country), country).toBe(example.formatNational())
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

  it('packs the examples into one string in the order of the countries, about half the gzip of keyed ones', () => {
    const { metadata, examples: packed } = widgetMetadata(null)
    const numbers = packed.split(',')
    expect(numbers).toHaveLength(Object.keys(metadata.countries).length)
    Object.keys(metadata.countries).forEach((country, index) =>
      expect(numbers[index], country).toBe((examples as Record<string, string>)[country] ?? ''),
    )
    const gzipped = (value: string) => gzipSync(value, { level: 9 }).length
    expect(gzipped(packed)).toBeLessThan(gzipped(JSON.stringify(examples)) * 0.55)
  })

  it('still takes examples keyed by country, as a server of an earlier version sent them', () => {
    const { metadata } = widgetMetadata(['HR'])
    const tools = createPhoneTools({ metadata, examples: { HR: '921234567' } as never })
    expect(tools.example('HR')).toBe('092 123 4567')
  })

  it('leaves out what nobody asked for', () => {
    const { metadata, examples } = widgetMetadata(['HR', 'XX'])
    expect(Object.keys(metadata.countries)).toEqual(['HR'])
    expect(examples.split(',')).toEqual([expect.stringMatching(/^\d+$/)])
    // CA's formats come from US, but US is not asked for: no example of it goes out.
    const tools = createPhoneTools(widgetMetadata(['CA']))
    expect(tools.countries.sort()).toEqual(['CA', 'US'])
    expect(tools.example('CA')).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/)
    expect(tools.example('US')).toBe(undefined)
  })

  it('leaves out the preferred international prefix and the extension prefix', () => {
    const entries = Object.values(widgetMetadata(null).metadata.countries as unknown as unknown[][])
    expect(entries.filter((entry) => entry.length > 12)).toEqual([])
  })
})

describe('content encoding', () => {
  const entry = files['two-factor-auth.js']!
  // Only the entry was precompressed: the chunk stands for a file built without its .br/.gz.
  const precompressed: Record<string, Uint8Array> = {
    'two-factor-auth.js:br': brotliCompressSync(entry),
    'two-factor-auth.js:gzip': gzipSync(entry, { level: 9 }),
  }
  const asked: string[] = []
  function encodingRoutes(options: { compressMetadata?: boolean } = {}) {
    return widgetRoutes({
      loadScript: async (file) => files[file],
      loadPrecompressed: async (file, encoding) => {
        asked.push(`${file}:${encoding}`)
        return precompressed[`${file}:${encoding}`]
      },
      version: '1.2.3',
      allowedCountries: ['HR'],
      ...options,
    })
  }
  const accepting = (acceptEncoding: string | null, extra: Record<string, string> = {}) => ({
    headers: acceptEncoding === null ? extra : { 'Accept-Encoding': acceptEncoding, ...extra },
  })
  const decoded = async (response: Response) => {
    const bytes = Buffer.from(await response.arrayBuffer())
    const encoding = response.headers.get('Content-Encoding')
    return (
      encoding === 'br' ? brotliDecompressSync(bytes) : encoding === 'gzip' ? gunzipSync(bytes) : bytes
    ).toString()
  }
  afterEach(() => {
    asked.length = 0
    vi.unstubAllGlobals()
  })

  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.9, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=1.0', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0, *', 'gzip'],
    ['*', 'br'],
    ['deflate', null],
    ['identity', null],
    ['gzip;q=0, br;q=0', null],
    ['*;q=0, identity', null],
    ['', null],
  ])('Accept-Encoding "%s" → %s, with Vary: Accept-Encoding on every variant', async (accept, expected) => {
    const response = await encodingRoutes().request('/widget.js', accepting(accept))
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Encoding')).toBe(expected)
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*')
    expect(await decoded(response)).toBe(entry)
  })

  it('without Accept-Encoding: identity, and no precompressed file is read', async () => {
    const response = await encodingRoutes().request('/widget.js', accepting(null))
    expect(response.headers.get('Content-Encoding')).toBeNull()
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(await response.text()).toBe(entry)
    expect(asked).toEqual([])
  })

  it('a file without its precompressed variants goes out as identity (still with Vary), after asking for br then gzip', async () => {
    const response = await encodingRoutes().request(
      '/two-factor-auth-phone-number-AbC123.js',
      accepting('gzip, br'),
    )
    expect(response.headers.get('Content-Encoding')).toBeNull()
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(await response.text()).toBe('export const phone = 1')
    expect(asked).toEqual([
      'two-factor-auth-phone-number-AbC123.js:br',
      'two-factor-auth-phone-number-AbC123.js:gzip',
    ])
  })

  it('each encoding has its own ETag; a 304 answers only the ETag of the variant the request would get', async () => {
    const app = encodingRoutes()
    const etags: Record<string, string> = {}
    for (const accept of ['br', 'gzip', 'identity']) {
      const response = await app.request('/widget.js', accepting(accept))
      etags[accept] = response.headers.get('ETag')!
      expect(etags[accept], accept).toMatch(/^"[^"]+"$/)
      const again = await app.request('/widget.js', accepting(accept, { 'If-None-Match': etags[accept] }))
      expect(again.status, accept).toBe(304)
      expect(again.headers.get('Vary'), accept).toBe('Accept-Encoding')
      expect(again.headers.get('ETag'), accept).toBe(etags[accept])
      expect(await again.text(), accept).toBe('')
    }
    expect(new Set(Object.values(etags)).size).toBe(3)
    // A client that held the gzip variant and now accepts brotli gets the brotli body, not a 304.
    const switched = await app.request('/widget.js', accepting('br', { 'If-None-Match': etags.gzip! }))
    expect(switched.status).toBe(200)
    expect(switched.headers.get('Content-Encoding')).toBe('br')
  })

  it('HEAD answers the headers of the variant GET would send, without a body', async () => {
    const app = encodingRoutes()
    const get = await app.request('/widget.js', accepting('gzip'))
    const head = await app.request('/widget.js', { method: 'HEAD', ...accepting('gzip') })
    expect(head.status).toBe(200)
    for (const name of ['Content-Encoding', 'Vary', 'ETag', 'Content-Type', 'Cache-Control'])
      expect(head.headers.get(name), name).toBe(get.headers.get(name))
    expect(head.headers.get('Content-Encoding')).toBe('gzip')
    expect(await head.text()).toBe('')
  })

  it('/metadata.json is gzipped once per process (CompressionStream), whatever the number of requests', async () => {
    let gzipStreams = 0
    const Original = CompressionStream
    vi.stubGlobal(
      'CompressionStream',
      class extends Original {
        constructor(format: ConstructorParameters<typeof CompressionStream>[0]) {
          super(format)
          if (format === 'gzip') gzipStreams++
        }
      },
    )
    const app = encodingRoutes()
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.request('/metadata.json', accepting('gzip'))),
    )
    const plain = await (await app.request('/metadata.json', accepting(null))).text()
    expect(gzipStreams).toBe(1)
    const etags = new Set<string>()
    for (const response of responses) {
      expect(response.headers.get('Content-Encoding')).toBe('gzip')
      expect(response.headers.get('Vary')).toBe('Accept-Encoding')
      etags.add(response.headers.get('ETag')!)
      expect(await decoded(response)).toBe(plain)
    }
    expect(etags.size).toBe(1)
    expect(JSON.parse(plain)).toMatchObject({ metadata: { countries: { HR: expect.any(Array) } } })
  })

  it('/metadata.json is identity (with Vary) when compression is left to the edge', async () => {
    const response = await encodingRoutes({ compressMetadata: false }).request(
      '/metadata.json',
      accepting('gzip, br'),
    )
    expect(response.headers.get('Content-Encoding')).toBeNull()
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(JSON.parse(await response.text())).toMatchObject({
      metadata: { countries: { HR: expect.any(Array) } },
    })
  })
})
