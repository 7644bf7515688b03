/**
 * The operator's side of the kit, under `/admin` and only when an admin token is configured
 * (`TWO_FACTOR_ADMIN_TOKEN`): without one these routes don't exist. Every route but the dashboard's
 * page shell asks for `Authorization: Bearer <token>`, compared in constant time; a wrong or
 * missing token is a 401 with the usual envelope. No CORS header is ever sent here, so no page on
 * another origin can read an answer, whatever `allowedOrigins` says.
 *
 * - `GET /admin/summary?period=hour|day|week`: the funnel, by country and provider, refusals,
 *   spend, active blocks, and the hours as a series — what the dashboard draws.
 * - `GET /admin/verifications?phoneNumber=`: a number's recent verifications.
 * - `GET /admin/blocks`, `DELETE /admin/blocks/:scope`: the pumping breaker's blocks; lift one.
 * - `GET /admin/allow-list`, `POST /admin/allow-list`, `DELETE /admin/allow-list/:entry`.
 * - `GET /admin/spend?day=`: a day's estimated spend against the ceilings.
 * - `GET /admin/metrics`: Prometheus text, from the running totals in the store (one truth for
 *   every instance).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import * as v from 'valibot'
import { TwoFactorError } from '../core/errors.js'
import type { Logger } from '../core/options.js'
import { normalizePhoneNumber } from '../core/phone.js'
import { timingSafeEqual } from '../core/pin.js'
import type { SendPolicyApi } from '../core/policy-admin.js'
import { fromMicros } from '../core/prices.js'
import { recentVerifications } from '../core/verification-log.js'
import type { TwoFactorStore } from '../stores/types.js'
import { acceptedEncodings, encodedResponse, type ContentEncoding } from './content-encoding.js'
import { readJson } from './request.js'

export interface AdminRoutesConfig {
  token: string
  policy: SendPolicyApi
  store: TwoFactorStore
  clock: () => number
  logger: Logger
  /** The dashboard page's files; undefined serves none (the API still works). */
  dashboard?: {
    loadScript: (file: string) => Promise<string | undefined>
    /**
     * The script's bytes compressed at build time (`dashboard.js.br`, `.gz`), or undefined: the
     * script then goes out uncompressed. @default undefined
     */
    loadPrecompressed?: (file: string, encoding: ContentEncoding) => Promise<Uint8Array | undefined>
  }
}

const HOUR_MS = 3_600_000
export const PERIOD_HOURS = { hour: 1, day: 24, week: 24 * 7 } as const
export type Period = keyof typeof PERIOD_HOURS

/** `a|dimension:value` → its parts; a field without a dimension has none. */
function splitField(field: string): { name: string; dimension?: string; value?: string } {
  const bar = field.indexOf('|')
  if (bar === -1) return { name: field }
  const rest = field.slice(bar + 1)
  const colon = rest.indexOf(':')
  return colon === -1
    ? {
        name: field.slice(0, bar),
        dimension: field.startsWith('rate_limited|') ? 'limit' : 'reason',
        value: rest,
      }
    : { name: field.slice(0, bar), dimension: rest.slice(0, colon), value: rest.slice(colon + 1) }
}

const isMoney = (name: string) => name === 'spend'
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null)

/** The summary the dashboard draws: sums of the hourly statistics over a period. */
export async function periodSummary(policy: SendPolicyApi, period: Period) {
  const hours = await policy.hourlyStats(PERIOD_HOURS[period])
  const totals: Record<string, number> = {}
  for (const { counters } of hours)
    for (const [field, value] of Object.entries(counters)) totals[field] = (totals[field] ?? 0) + value
  const get = (field: string) => totals[field] ?? 0
  const dimension = (name: string) => {
    const values = new Set<string>()
    for (const field of Object.keys(totals)) {
      const split = splitField(field)
      if (split.dimension === name && split.value) values.add(split.value)
    }
    return [...values].sort()
  }
  const funnel = (suffix = '') => ({
    requested: get(`requested${suffix}`),
    sent: get(`sent${suffix}`),
    delivered: get(`delivered${suffix}`),
    verified: get(`verified${suffix}`),
    conversion: ratio(get(`verified${suffix}`), get(`sent${suffix}`)),
  })
  const refusals = Object.entries(totals)
    .map(([field, count]) => ({ field, count, ...splitField(field) }))
    .filter(({ name }) => name === 'refused' || name === 'shadow' || name === 'rate_limited')
    .map(({ name, value, count }) => ({ reason: value!, shadow: name === 'shadow', count }))
    .sort((a, b) => b.count - a.count)
  return {
    period,
    hours: PERIOD_HOURS[period],
    funnel: funnel(),
    byCountry: dimension('country').map((country) => ({
      country,
      ...funnel(`|country:${country}`),
      spend: get(`spend|country:${country}`),
    })),
    byProvider: dimension('provider').map((provider) => {
      const calls = get(`latency_count|provider:${provider}`)
      return {
        provider,
        sent: get(`sent|provider:${provider}`),
        delivered: get(`delivered|provider:${provider}`),
        undelivered: get(`undelivered|provider:${provider}`),
        verified: get(`verified|provider:${provider}`),
        failed: get(`sms_failed|provider:${provider}`),
        conversion: ratio(get(`verified|provider:${provider}`), get(`sent|provider:${provider}`)),
        latencyMs: calls > 0 ? Math.round(get(`latency_ms|provider:${provider}`) / calls) : null,
      }
    }),
    refusals,
    spend: get('spend'),
    series: [...hours].reverse().map(({ hour, counters }) => ({
      hour,
      requested: counters.requested ?? 0,
      sent: counters.sent ?? 0,
      delivered: counters.delivered ?? 0,
      verified: counters.verified ?? 0,
      refused: Object.entries(counters)
        .filter(([field]) => field.startsWith('refused|'))
        .reduce((sum, [, count]) => sum + count, 0),
    })),
  }
}

/** What each running total counts, for the metrics' HELP lines. */
const METRIC_HELP: Record<string, string> = {
  requested: 'Sends and resends of a valid number that reached the policies.',
  sent: 'SMS handed to a provider (an unknown outcome counts: it may be billed).',
  delivered: 'SMS a provider reported delivered (once per PIN).',
  undelivered: 'SMS a provider reported undeliverable (once per PIN).',
  verified: 'PINs verified.',
  failed_attempt: 'Wrong PINs entered.',
  locked: 'PINs locked after their last wrong attempt.',
  expired: 'Verifies of a PIN that had expired.',
  sms_failed: 'Provider send calls that failed.',
  failover: 'Moves from a failing provider to the next.',
  segments: 'SMS segments sent (each is billed).',
  lookup_refused: 'Numbers the network lookup refused.',
  captcha_failed: 'Sends whose captcha failed.',
  spend: 'Estimated SMS spend, in the price table’s currency.',
}

/** Prometheus text exposition (version 0.0.4) of the running totals, plus live gauges. */
export async function prometheusText(
  store: TwoFactorStore,
  policy: SendPolicyApi,
  now: number,
): Promise<string> {
  const [[totals], [lastHour], blocks] = await Promise.all([
    store.readCounters(['stats:total'], now),
    policy.hourlyStats(1),
    policy.blocks(),
  ])
  const families = new Map<string, { type: string; help: string; samples: string[] }>()
  const add = (
    name: string,
    type: 'counter' | 'gauge' | 'summary',
    help: string,
    sample: { suffix?: string; labels?: Record<string, string>; value: number },
  ) => {
    let family = families.get(name)
    if (!family) families.set(name, (family = { type, help, samples: [] }))
    const labels = Object.entries(sample.labels ?? {})
      .map(
        ([key, text]) => `${key}="${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
      )
      .join(',')
    family.samples.push(`${name}${sample.suffix ?? ''}${labels ? `{${labels}}` : ''} ${sample.value}`)
  }
  for (const [field, raw] of Object.entries(totals ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const { name, dimension, value = '' } = splitField(field)
    const labels: Record<string, string> = dimension ? { [dimension]: value } : {}
    // A breakdown is a family of its own, so that summing a family never counts a send twice.
    const by = dimension ? `_by_${dimension}` : ''
    const help = (METRIC_HELP[name] ?? `Running total of "${name}".`) + (dimension ? ` By ${dimension}.` : '')
    if (name === 'latency_ms' || name === 'latency_count') {
      add('two_factor_provider_send_seconds', 'summary', 'Successful provider send calls and their time.', {
        suffix: name === 'latency_ms' ? '_sum' : '_count',
        labels,
        value: name === 'latency_ms' ? raw / 1000 : raw,
      })
    } else if (name === 'refused' || name === 'shadow') {
      add(
        'two_factor_sends_refused_total',
        'counter',
        'Sends refused by a policy (shadow: decided, not enforced).',
        {
          labels: { reason: value, shadow: String(name === 'shadow') },
          value: raw,
        },
      )
    } else if (name === 'rate_limited') {
      add('two_factor_rate_limited_total', 'counter', 'Requests refused by a rate limit.', {
        labels: { limit: value },
        value: raw,
      })
    } else if (name === 'spend') {
      add(`two_factor_estimated_spend${by}_total`, 'counter', help, { labels, value: fromMicros(raw) })
    } else {
      add(`two_factor_${name.replace(/[^a-zA-Z0-9_]/g, '_')}${by}_total`, 'counter', help, {
        labels,
        value: raw,
      })
    }
  }
  const sent = lastHour?.counters.sent ?? 0
  const verified = lastHour?.counters.verified ?? 0
  add('two_factor_conversion_ratio', 'gauge', 'Verified / sent in the current hour (NaN without sends).', {
    labels: { window: '1h' },
    value: sent > 0 ? verified / sent : Number.NaN,
  })
  add('two_factor_active_blocks', 'gauge', 'Scopes under a block or a captcha now.', { value: blocks.length })
  const byReason = new Map<string, number>()
  for (const block of blocks) byReason.set(block.reason, (byReason.get(block.reason) ?? 0) + 1)
  for (const [reason, count] of byReason)
    add('two_factor_active_blocks_by_reason', 'gauge', 'Scopes under a block or a captcha now, by reason.', {
      labels: { reason },
      value: count,
    })
  const lines: string[] = []
  for (const [name, family] of families)
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`, ...family.samples)
  return `${lines.join('\n')}\n`
}

const PeriodQuery = v.picklist(['hour', 'day', 'week'] as const)
const AllowListBody = v.strictObject({
  entry: v.pipe(v.string(), v.maxLength(32)),
  note: v.optional(v.pipe(v.string(), v.maxLength(200))),
  until: v.optional(v.pipe(v.number(), v.integer())),
})

function unauthorized(): TwoFactorError {
  return new TwoFactorError('ADMIN_UNAUTHORIZED', 'The admin API needs Authorization: Bearer <admin token>.')
}

function badRequest(message: string): TwoFactorError {
  return new TwoFactorError('INVALID_REQUEST', message)
}

export function adminRoutes(config: AdminRoutesConfig): Hono {
  const app = new Hono()
  const expected = `Bearer ${config.token}`
  const requireToken: MiddlewareHandler = async (c, next) => {
    const presented = c.req.header('Authorization') ?? ''
    // Constant time over the expected length: a wrong token takes as long as a right one.
    const padded = presented.padEnd(expected.length, '\0').slice(0, expected.length)
    if (!(timingSafeEqual(padded, expected) && presented.length === expected.length)) {
      config.logger.warn({ path: c.req.path }, 'admin request with a missing or wrong token refused')
      throw unauthorized()
    }
    await next()
  }

  if (config.dashboard) {
    const { loadScript } = config.dashboard
    // The page shell is public (it asks for the token); its data is not. It is the folder's index,
    // `/admin/`, so that it loads `./dashboard.js` by a relative URL wherever the kit is mounted.
    const page = async (c: Context) => {
      const html = await loadScript('index.html')
      if (!html) throw new TwoFactorError('NOT_FOUND', 'The dashboard is not built (npm run build).')
      // No inline script or style at all: Lit's styles are constructed stylesheets, which CSP allows.
      c.header(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      c.header('X-Frame-Options', 'DENY')
      c.header('Referrer-Policy', 'no-referrer')
      c.header('X-Content-Type-Options', 'nosniff')
      c.header('Cache-Control', 'no-store')
      return c.html(html)
    }
    app.get('/', (c) => c.redirect(`${c.req.path}/`, 308))
    app.use('/*', async (c, next) => {
      if (c.req.method === 'GET' && /\/admin\/$/.test(c.req.path)) return page(c)
      await next()
    })
    const { loadPrecompressed } = config.dashboard
    // A middleware, not a `/:file` route: a parameter beside the static admin routes is a route
    // Hono's RegExpRouter refuses, which would put the host's whole app on the slower TrieRouter.
    app.use('/*', async (c, next) => {
      const file = c.req.path.slice(c.req.routePath.length - 1)
      if (c.req.method !== 'GET' || !/^dashboard[\w-]*\.js$/.test(file)) return next()
      const headers = {
        'Content-Type': 'text/javascript; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      }
      // 41 KB of JavaScript is 13 KB of brotli: the best encoding the request accepts that was built.
      if (loadPrecompressed)
        for (const encoding of acceptedEncodings(c.req.header('Accept-Encoding'))) {
          const bytes = await loadPrecompressed(file, encoding)
          if (bytes) return encodedResponse(bytes, encoding, headers)
        }
      const script = await loadScript(file)
      if (!script) throw new TwoFactorError('NOT_FOUND', 'No such dashboard file.')
      return new Response(script, { headers: { ...headers, Vary: 'Accept-Encoding' } })
    })
  }

  app.use('/*', requireToken)

  app.get('/summary', async (c) => {
    const period = v.safeParse(PeriodQuery, c.req.query('period') ?? 'day')
    if (!period.success) throw badRequest('period must be hour, day or week.')
    const [summary, blocks, spend] = await Promise.all([
      periodSummary(config.policy, period.output),
      config.policy.blocks(),
      config.policy.spend(),
    ])
    return c.json({ ...summary, spend: { ...spend, periodSpend: summary.spend }, blocks })
  })

  app.get('/verifications', async (c) => {
    const input = c.req.query('phoneNumber')
    if (!input) throw badRequest('phoneNumber is required.')
    let e164: string
    try {
      e164 = normalizePhoneNumber(input).e164
    } catch {
      // A test number need not be valid: take it as written when it looks like E.164.
      if (!/^\+\d{6,15}$/.test(input)) throw badRequest('phoneNumber must be an international number (+…).')
      e164 = input
    }
    const verifications = await recentVerifications(config.store, e164, config.clock())
    return c.json({ phoneNumber: e164, verifications })
  })

  app.get('/blocks', async (c) => c.json({ blocks: await config.policy.blocks() }))
  app.delete('/blocks/:scope', async (c) => {
    const scope = c.req.param('scope')
    const lifted = await config.policy.lift(scope)
    config.logger.warn({ scope }, 'admin lifted a block')
    return c.json({ scope, lifted })
  })

  app.get('/allow-list', async (c) => c.json({ entries: await config.policy.allowList() }))
  app.post('/allow-list', async (c) => {
    const body = await readJson(c, AllowListBody)
    try {
      await config.policy.allow(body.entry, {
        ...(body.note ? { note: body.note } : {}),
        ...(body.until !== undefined ? { until: body.until } : {}),
      })
    } catch (error) {
      if (error instanceof TypeError) throw badRequest(error.message)
      throw error
    }
    return c.json({ entry: body.entry, added: true }, 201)
  })
  app.delete('/allow-list/:entry', async (c) => {
    const entry = c.req.param('entry')
    try {
      return c.json({ entry, removed: await config.policy.disallow(entry) })
    } catch (error) {
      if (error instanceof TypeError) throw badRequest(error.message)
      throw error
    }
  })

  app.get('/spend', async (c) => {
    const day = c.req.query('day')
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw badRequest('day must be YYYY-MM-DD.')
    return c.json(await config.policy.spend(day))
  })

  app.get('/metrics', async (c) => {
    const text = await prometheusText(config.store, config.policy, config.clock())
    return c.body(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  return app
}

/** `GET /health`: 200 when the store answers, 503 STORE_UNAVAILABLE when it doesn't. */
export function healthRoute(store: TwoFactorStore, clock: () => number) {
  return async (c: Context) => {
    await store.getCached('health', clock())
    return c.json({ status: 'ok' })
  }
}
