/**
 * Serves the widget next to the API: `GET /widget.js` (the element), its lazily imported chunks
 * (phone-number code, languages) and `GET /metadata.json` (phone metadata cut to what the widget
 * uses, for just the allowed countries). Web APIs only; the runtime entry supplies the files.
 *
 * Caching:
 * - `/widget.js?v=<version>` with the server's own version is immutable for a year: the page that
 *   writes the version changes the URL on every upgrade.
 * - `/widget.js` without it (or with another version) must follow upgrades at once, so it is
 *   `no-cache` with an ETag: every load revalidates, and an unchanged script costs a bodiless 304.
 * - Chunks have content hashes in their names, so they are immutable whatever the URL.
 * - `/metadata.json` changes only with the library or the allowed countries: an hour, then
 *   revalidation (ETag) in the background. A widget holding stale metadata still works: it
 *   formats less well, and the server judges every number with its own, full metadata.
 *
 * Encoding: compressed, the widget is a third of its size (/widget.js when this was written:
 * 43.6 KB, 15.5 KB gzip, 13.9 KB brotli). Each file goes out in the best encoding the request
 * accepts that is on hand (brotli or gzip precompressed at build time, else identity);
 * `/metadata.json` is compressed once per process. Every variant says
 * `Vary: Accept-Encoding`, so a shared cache never hands brotli to a client that didn't ask for it,
 * and each has its own ETag (the hash of its own bytes), so a 304 always confirms the right variant.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { etag, RETAINED_304_HEADERS } from 'hono/etag'
import type { MetadataJson } from 'libphonenumber-js/core/es6'
import examples from 'libphonenumber-js/mobile/examples'
// The server's own full metadata, cut here: a Worker then carries one copy, not two. The cut is
// byte for byte what the smaller `min` metadata gave (its countries differ only in the patterns
// forWidget drops).
import metadata from 'libphonenumber-js/max/metadata'
import { consoleLogger, type Logger } from '../core/log.js'
import {
  acceptedEncodings,
  compressText,
  CONTENT_ENCODINGS,
  encodedResponse,
  type ContentEncoding,
} from './content-encoding.js'

export interface WidgetRoutesConfig {
  /**
   * The text of a built widget file in `dist/widget/`: `two-factor-auth.js` or one of its chunks
   * (`two-factor-auth-*.js`); undefined when there is no such file.
   */
  loadScript: (file: string) => Promise<string | undefined>
  /**
   * The bytes of a widget file compressed at build time (`<file>.br`, `<file>.gz` next to it), or
   * undefined when there is none: that file then goes out uncompressed.
   * @default undefined (every file uncompressed)
   */
  loadPrecompressed?: (file: string, encoding: ContentEncoding) => Promise<Uint8Array | undefined>
  /**
   * Compress `/metadata.json` (gzip; brotli too where CompressionStream has it) once per process.
   * The Workers entry turns it off: Cloudflare's edge compresses responses itself.
   * @default true
   */
  compressMetadata?: boolean
  /** The kit's version; `/widget.js?v=<version>` is then cached for good. */
  version: string
  /** ISO 3166 alpha-2 codes, or null for every country. */
  allowedCountries: readonly string[] | null
  /** Where a widget file that can't be read is logged. @default readable lines on the console */
  logger?: Logger
}

const ENTRY = 'two-factor-auth.js'
const CHUNK = /^two-factor-auth-[\w-]+\.js$/
const IMMUTABLE = 'public, max-age=31536000, immutable'
const ENTRY_ROUTE = '/widget.js'
const METADATA_ROUTE = '/metadata.json'

/** libphonenumber-js's metadata, read as plain JSON (its own types are too narrow to index). */
type CountryEntry = unknown[]
const source = metadata as unknown as {
  version: number
  country_calling_codes: Record<string, string[]>
  countries: Record<string, CountryEntry>
}

/**
 * A country's entry without its national-number pattern [2] and number-type patterns [11]: the
 * widget formats (formats, prefixes) and checks lengths, but validity is the server's call.
 * That is a third of the bytes. Nor the preferred international prefix [12] and the extension
 * prefix [13]: they serve only dialling from abroad and extensions, which the widget never formats.
 * Two more fields go out because the widget restores them (see `expandWidgetMetadata` in
 * widget/phone-number.ts), another 4 % of the gzip: the calling code [0], which
 * `country_calling_codes` already says, and the international prefix [1] when it is the common
 * "00". (Indexes are libphonenumber-js's metadata format v4.)
 */
function forWidget(entry: CountryEntry): CountryEntry {
  const trimmed = entry.slice(0, 12)
  trimmed[0] = 0
  if (trimmed[1] === '00') trimmed[1] = 0
  trimmed[2] = ''
  if (trimmed.length > 11) trimmed[11] = 0
  while (trimmed.length && !trimmed[trimmed.length - 1]) trimmed.pop()
  return trimmed
}

/**
 * The metadata and example numbers the widget needs, for `allowed` countries (or all). The
 * examples are one string, in the order of `metadata.countries`, comma-separated, empty where a
 * country has none (or was not asked for): keyed by country, they weighed twice as much gzipped.
 */
export function widgetMetadata(allowed: readonly string[] | null): {
  metadata: MetadataJson
  examples: string
} {
  const countries: Record<string, CountryEntry> = {}
  const codes: Record<string, string[]> = {}
  const wanted = allowed ?? Object.keys(source.countries)
  for (const country of wanted) {
    const entry = source.countries[country]
    if (!entry) continue
    const code = String(entry[0])
    // Countries that share a calling code take their formats from its main country (e.g. CA from US).
    const main = source.country_calling_codes[code]?.[0] ?? country
    const shared = (codes[code] ??= [main])
    if (!shared.includes(country)) shared.push(country)
    for (const holder of [main, country]) countries[holder] ??= forWidget(source.countries[holder] ?? entry)
  }
  const examplesOf = examples as Record<string, string>
  return {
    metadata: { version: source.version, country_calling_codes: codes, countries } as unknown as MetadataJson,
    examples: Object.keys(countries)
      .map((country) => (wanted.includes(country) && examplesOf[country]) || '')
      .join(','),
  }
}

function scriptHeaders(cacheControl: string): Record<string, string> {
  return { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': cacheControl }
}

function identityResponse(body: string, headers: Record<string, string>, status = 200): Response {
  // Vary on the uncompressed variant too: a shared cache that stored it unkeyed would hand it to all.
  return new Response(body, { status, headers: { ...headers, Vary: 'Accept-Encoding' } })
}

// Public, credential-free files: any page may load them, also as cross-origin module scripts.
// Only these paths: the routes are mounted into the kit's app, whose API answers cross-origin
// to `allowedOrigins` alone (a `*` middleware here would reach every route of the kit).
const publicFile: MiddlewareHandler = async (c, next) => {
  await next()
  c.header('Access-Control-Allow-Origin', '*')
  c.header('Cross-Origin-Resource-Policy', 'cross-origin')
  c.header('X-Content-Type-Options', 'nosniff')
}
const revalidation = etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'access-control-allow-origin'] })

export type MetadataRouteConfig = Pick<WidgetRoutesConfig, 'allowedCountries' | 'compressMetadata'>

/**
 * `GET /metadata.json` alone. It is data, not files, so every entry serves it, with or without the
 * widget's files: a widget the host bundles itself still asks the kit for it.
 */
export function metadataRoute(config: MetadataRouteConfig): Hono {
  // Cut on first use, not here: a kit whose widget never asks pays nothing at start-up.
  let metadataBody: string | undefined
  const body = () => (metadataBody ??= JSON.stringify(widgetMetadata(config.allowedCountries)))
  // Compressed on first use too: the routes are made at start-up, where Workers forbid I/O.
  let compressedMetadata: Promise<Partial<Record<ContentEncoding, Uint8Array>>> | undefined
  const metadataVariants = () =>
    (compressedMetadata ??= Promise.all(
      CONTENT_ENCODINGS.map(async (encoding) => [encoding, await compressText(body(), encoding)] as const),
    ).then((pairs) => Object.fromEntries(pairs.filter(([, bytes]) => bytes !== undefined))))

  const app = new Hono()
  app.use(METADATA_ROUTE, publicFile, revalidation)
  app.get(METADATA_ROUTE, async (c) => {
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'public, max-age=3600, stale-while-revalidate=86400',
    }
    if (config.compressMetadata !== false) {
      const variants = await metadataVariants()
      for (const encoding of acceptedEncodings(c.req.header('Accept-Encoding'))) {
        const bytes = variants[encoding]
        if (bytes) return encodedResponse(bytes, encoding, headers)
      }
    }
    return identityResponse(body(), headers)
  })
  return app
}

/** The widget's files (`/widget.js`, its chunks) and `/metadata.json`. */
export function widgetRoutes(config: WidgetRoutesConfig): Hono {
  if (typeof config.loadScript !== 'function')
    throw new TypeError('widgetRoutes needs "loadScript" (file → text of dist/widget/<file>)')
  if (!config.version)
    throw new TypeError('widgetRoutes needs "version" (the kit version, for /widget.js?v=…)')
  const logger = config.logger ?? consoleLogger()

  /** A widget file in the best encoding the request accepts that was built; undefined if none is. */
  const script = async (c: Context, file: string, cacheControl: string): Promise<Response | undefined> => {
    if (config.loadPrecompressed)
      for (const encoding of acceptedEncodings(c.req.header('Accept-Encoding'))) {
        const bytes = await config.loadPrecompressed(file, encoding)
        if (bytes) return encodedResponse(bytes, encoding, scriptHeaders(cacheControl))
      }
    const text = await config.loadScript(file)
    return text === undefined ? undefined : identityResponse(text, scriptHeaders(cacheControl))
  }
  const app = new Hono()
  app.use(ENTRY_ROUTE, publicFile, revalidation)

  app.get(ENTRY_ROUTE, async (c, next) => {
    let response: Response | undefined
    try {
      response = await script(c, ENTRY, c.req.query('v') === config.version ? IMMUTABLE : 'public, no-cache')
    } catch (error) {
      // Say it where the developer looks: the server log and the browser console.
      const message = `two-factor-kit: ${error instanceof Error ? error.message : String(error)}`
      logger.error({ err: error, file: ENTRY }, 'the widget script could not be read')
      return identityResponse(`console.error(${JSON.stringify(message)})`, scriptHeaders('no-store'), 500)
    }
    return response ?? next()
  })

  // The chunks are answered by a middleware, not a route: a parameter route beside the kit's static
  // paths (`/:file` next to `/config`) is one Hono's RegExpRouter refuses, and the host's whole app
  // would then run on the slower TrieRouter. (HEAD reaches here as GET.)
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET') return next()
    const file = c.req.path.slice(c.req.routePath.length - 1) // the name after the kit's root
    const response = CHUNK.test(file) ? await script(c, file, IMMUTABLE) : undefined
    if (!response) return next()
    await publicFile(c, async () => {
      await revalidation(c, async () => {
        c.res = response
      })
    })
  })

  app.route('/', metadataRoute(config))
  return app
}
