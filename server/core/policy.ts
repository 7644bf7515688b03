/**
 * The send policies against SMS pumping and runaway cost. Each decides before anything is paid,
 * explains itself (403 SEND_BLOCKED with a stable `reason` and the `scope` it applies to), and can
 * run in shadow mode — decide and record, without refusing — so an operator can tune it on real
 * traffic first. No learning: rules an operator can read.
 *
 * - Destination (free, offline): the country allow- and deny-lists, and the high-risk non-geographic
 *   calling codes (satellite and international networks), refused unless allowed by name.
 * - Blocks: state in the store (list `blocks`, one entry per scope), so every instance agrees. A
 *   block ends by itself; a repeat within a day of the last one doubles its duration.
 * - Range velocity: sends per number range (the E.164 number without its last 3 digits, a 1k block,
 *   and without its last 4) across all callers. Bursts to adjacent numbers are pumping's signature;
 *   a range over its limit is blocked.
 * - Conversion breaker: per country, per 1k range and per mobile network, when a window's sends
 *   reach a minimum and too few of them were verified, the scope first needs the captcha (when one
 *   runs in `escalated` mode), then is blocked. Counters restart after each block (an epoch per
 *   block), so a scope is judged again only on what came after it.
 * - Spend ceiling: the estimated price of each SMS (segments × the country's price) is reserved
 *   against a daily ceiling, globally and per country, before the SMS goes out.
 * - Allow-list: numbers and 1k ranges that no block, velocity limit or breaker refuses (from the
 *   options, and from the store's `allow` list that the programmatic API edits).
 */
import type { Rate } from './duration.js'
import { TwoFactorError } from './errors.js'
import { emitEvent, type EventHook, type TwoFactorEvent } from './events.js'
import type { Logger } from './log.js'
import { fromMicros } from './prices.js'
import { giveBackHits, takeHits } from './hits.js'
import { addStats, type Tally } from './stats.js'
import type { CounterUpdate, HitRequest, RateLimitHit, TwoFactorStore } from '../stores/types.js'

export const SEND_BLOCK_REASONS = [
  'COUNTRY_NOT_ALLOWED',
  'HIGH_RISK_DESTINATION',
  'RANGE_VELOCITY',
  'LOW_CONVERSION',
  'SPEND_CEILING',
] as const
export type SendBlockReason = (typeof SEND_BLOCK_REASONS)[number]

/**
 * Calling codes that belong to no country: satellite phones (Inmarsat +870, GMSS +881),
 * international networks (+882, +883), UPT (+878), OCHA (+888) and international premium rate
 * (+979). Carriers price them far above any country, and pumping schemes favour them.
 */
export const HIGH_RISK_CALLING_CODES: readonly string[] = ['870', '878', '881', '882', '883', '888', '979']

/** The policies' settings, resolved once at start-up (resolve.ts). Amounts are in micros. */
export interface ResolvedPolicy {
  /** ISO codes that may receive codes, or '*' for every country. */
  allowedCountries: ReadonlySet<string> | '*'
  /** High-risk calling codes allowed by name (`+881` in `allowedCountries`), without the `+`. */
  allowedCallingCodes: ReadonlySet<string>
  deniedCountries: ReadonlySet<string>
  /** E.164 numbers and 1k range scopes (`range:385911234`) from the `allowList` option. */
  allowList: ReadonlySet<string>
  rangeLimit: Rate
  wideRangeLimit: Rate
  blockDurationMs: number
  conversionWindowMs: number
  conversionMinSends: number
  conversionMinSendsPerRange: number
  minConversion: number
  /** Whether a tripped breaker first asks for the captcha (a captcha in `escalated` mode). */
  captchaEscalation: boolean
  /** Micros per segment by ISO country, `*` for the rest. */
  prices: Readonly<Record<string, number>>
  /** Micros per UTC day for all sends; null for no ceiling. */
  dailySpendLimit: number | null
  /** Micros per UTC day for one country, `*` for countries not named; null for no ceiling. */
  dailySpendLimitPerCountry: Readonly<Record<string, number | null>>
  shadow: ReadonlySet<SendBlockReason>
  onEvent: EventHook | undefined
}

/** What the policies need of the options. */
export interface PolicyContext {
  policy: ResolvedPolicy
  store: TwoFactorStore
  logger: Logger
  pinTtlMs: number
}

/** A scope under a block or a captcha, as the store's `blocks` list holds it. */
export interface ScopeBlock {
  scope: string
  reason: SendBlockReason
  /** `captcha`: sends to the scope need a solved captcha; `block`: they are refused. */
  action: 'block' | 'captcha'
  /** 1 for a first block; each repeat within a day of the last one doubles the duration. */
  level: number
  since: number
  until: number
}

export const BLOCKS_LIST = 'blocks'
export const ALLOW_LIST = 'allow'
const DAY_MS = 86_400_000
/** A block's duration doubles with each repeat up to this. */
export const MAX_BLOCK_MS = DAY_MS

export const countryScope = (country: string | undefined, e164: string) =>
  country ? `country:${country}` : `country:+${callingCodeOf(e164) ?? '?'}`
/** The number without its last `hidden` digits, as a scope: `range:385911234` hides 3. */
export const rangeScope = (e164: string, hidden: number) => `range:${e164.slice(1, -hidden)}`
export const networkScope = (network: { name?: string; mcc?: string; mnc?: string }) =>
  network.mcc && network.mnc
    ? `network:${network.mcc}${network.mnc}`
    : network.name
      ? `network:${network.name}`
      : undefined

/** The high-risk calling code `e164` starts with, if any. */
export function callingCodeOf(e164: string): string | undefined {
  return HIGH_RISK_CALLING_CODES.find((code) => e164.startsWith(`+${code}`))
}

const MESSAGES: Record<SendBlockReason, string> = {
  COUNTRY_NOT_ALLOWED: 'Verification codes cannot be sent to this country.',
  HIGH_RISK_DESTINATION: 'Verification codes cannot be sent to satellite or international network numbers.',
  RANGE_VELOCITY: 'Too many codes were requested for numbers like this one. Try again later.',
  LOW_CONVERSION:
    'Sending codes to numbers like this one is paused because of unusual traffic. Try again later.',
  SPEND_CEILING: 'No more verification codes can be sent today. Try again tomorrow.',
}

export function sendBlocked(reason: SendBlockReason, scope: string, retryAfterMs?: number): TwoFactorError {
  return new TwoFactorError('SEND_BLOCKED', MESSAGES[reason], {
    reason,
    scope,
    ...(retryAfterMs !== undefined ? { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) } : {}),
  })
}

/** Adds to the hour's statistics and the totals; a failure is logged, never passed on. */
export async function countInHourlyStats(
  context: PolicyContext,
  now: number,
  fields: Record<string, number>,
): Promise<void> {
  await addStats(context, now, fields)
}

/** The number a decision is about, as the policies see it. */
export interface PolicySubject {
  e164: string
  country: string | undefined
  /** For events: never the whole number. */
  masked: string
  /**
   * The request's statistics, written once when it ends (send.ts); without it a refusal counts at
   * once.
   */
  tally?: Tally
}

/**
 * A policy's refusal: thrown, unless the reason runs in shadow mode — then recorded and the send
 * goes on. Either way an event says so and the hour's statistics count it.
 */
export async function refuse(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  reason: SendBlockReason,
  scope: string,
  retryAfterMs?: number,
): Promise<void> {
  const shadow = context.policy.shadow.has(reason)
  emit(context, {
    type: 'send.refused',
    at: now,
    reason,
    scope,
    shadow,
    to: subject.masked,
    country: subject.country ?? null,
  })
  const field = `${shadow ? 'shadow' : 'refused'}|${reason}`
  if (subject.tally) subject.tally[field] = (subject.tally[field] ?? 0) + 1
  else await countInHourlyStats(context, now, { [field]: 1 })
  if (!shadow) throw sendBlocked(reason, scope, retryAfterMs)
}

function emit(context: PolicyContext, event: TwoFactorEvent): void {
  emitEvent(context.policy.onEvent, context.logger, event)
}

/** The free, offline policy: country allow- and deny-lists, high-risk calling codes. */
export async function checkDestination(context: PolicyContext, subject: PolicySubject, now: number) {
  const { policy } = context
  const highRisk = callingCodeOf(subject.e164)
  if (highRisk) {
    if (!policy.allowedCallingCodes.has(highRisk))
      await refuse(context, subject, now, 'HIGH_RISK_DESTINATION', `country:+${highRisk}`)
    return
  }
  const country = subject.country
  const allowed =
    country !== undefined &&
    !policy.deniedCountries.has(country) &&
    (policy.allowedCountries === '*' || policy.allowedCountries.has(country))
  if (!allowed)
    await refuse(context, subject, now, 'COUNTRY_NOT_ALLOWED', countryScope(country, subject.e164))
}

function parseBlock(value: string | null): ScopeBlock | undefined {
  if (!value) return undefined
  try {
    return JSON.parse(value) as ScopeBlock
  } catch {
    return undefined
  }
}

/**
 * Blocks `scope` (or, for a breaker's first trip with an escalating captcha, puts it under the
 * captcha), a level above its last block if that ended less than a day ago. `judged` is the block
 * the decision was made under (undefined for none): when the store holds a newer one that is still
 * running, a concurrent send tripped the scope first and its block stands — the same burst must not
 * escalate itself. Shadow mode records the decision instead. Returns the block now in force, or
 * undefined in shadow mode.
 */
async function trip(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  scope: string,
  reason: SendBlockReason,
  judged: ScopeBlock | undefined,
): Promise<ScopeBlock | undefined> {
  const { policy } = context
  if (policy.shadow.has(reason)) {
    await refuse(context, subject, now, reason, scope)
    return undefined
  }
  const [stored] = await context.store.getListEntries(BLOCKS_LIST, [scope], now)
  const latest = parseBlock(stored ?? null)
  if (latest && latest.until > now && latest.since !== judged?.since) return latest
  const level = (latest?.level ?? 0) + 1
  const action = reason === 'LOW_CONVERSION' && level === 1 && policy.captchaEscalation ? 'captcha' : 'block'
  const duration = Math.min(policy.blockDurationMs * 2 ** (level - 1), MAX_BLOCK_MS)
  const block: ScopeBlock = { scope, reason, action, level, since: now, until: now + duration }
  // Kept a day past its end, so that a repeat is known as one.
  await context.store.putListEntry(BLOCKS_LIST, scope, JSON.stringify(block), block.until + DAY_MS, now)
  emit(context, { type: 'policy.blocked', at: now, reason, scope, action, level, until: block.until })
  return block
}

/** What the scope checks found, for the rest of the send. */
export interface ScopeCheck {
  /** The number or its range is on the allow-list: no block, velocity limit or breaker applies. */
  allowListed: boolean
  /** A scope is under a captcha: the send needs a solved one, whatever the captcha mode. */
  captchaFor: { reason: SendBlockReason; scope: string } | undefined
  /** The breaker counters this send counts under once it is out (and its verification, later). */
  counterKeys: string[]
}

/** The breaker's counter of `scope` since its last block, in the window `now` falls in. */
function breakerKeys(context: PolicyContext, scope: string, block: ScopeBlock | undefined, now: number) {
  const window = Math.floor(now / context.policy.conversionWindowMs)
  const epoch = block?.since ?? 0
  return { current: `cv:${scope}|${epoch}|${window}`, previous: `cv:${scope}|${epoch}|${window - 1}` }
}

/**
 * Destinations too rare to be judged alone — countries with fewer sends in the window than
 * `conversionMinSends` — are judged together under this scope, so that a tour of one SMS per
 * country meets the breaker as surely as a burst to one.
 */
export const RARE_COUNTRIES_SCOPE = 'country:rare'

/**
 * Blocks, the allow-list and the conversion breaker for the scopes known before any lookup (the
 * number's country — or the rare countries together — and its 1k range; the 10k range for blocks
 * only). Throws SEND_BLOCKED for a blocked or newly tripped scope.
 */
export async function checkScopes(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
): Promise<ScopeCheck> {
  const { policy, store } = context
  const country = countryScope(subject.country, subject.e164)
  const range = rangeScope(subject.e164, 3)
  const wideRange = rangeScope(subject.e164, 4)
  const staticallyAllowed = policy.allowList.has(subject.e164) || policy.allowList.has(range)
  const scopes = [country, range, wideRange, RARE_COUNTRIES_SCOPE]
  const judged = [
    { scope: country, minSends: policy.conversionMinSends },
    { scope: range, minSends: policy.conversionMinSendsPerRange },
    { scope: RARE_COUNTRIES_SCOPE, minSends: policy.conversionMinSends },
  ]
  // The breaker's counters go alongside the lists, read under the keys of scopes without a block
  // — the keys judge needs unless a block names another epoch (rare): then it reads its own.
  const earlyKeys = judged.flatMap(({ scope }) => {
    const { current, previous } = breakerKeys(context, scope, undefined, now)
    return [current, previous]
  })
  const early: CounterRead = { keys: earlyKeys, counters: store.readCounters(earlyKeys, now) }
  // Awaited by judge when it needs it; unused, or failed before, it must not go unhandled.
  early.counters.catch(() => undefined)
  const [allowed, stored] = await Promise.all([
    staticallyAllowed ? [] : store.getListEntries(ALLOW_LIST, [subject.e164, range], now),
    store.getListEntries(BLOCKS_LIST, scopes, now),
  ])
  const allowListed = staticallyAllowed || allowed.some((value) => value !== null)
  const blocks = new Map(scopes.map((scope, index) => [scope, parseBlock(stored[index] ?? null)]))
  const check: ScopeCheck = { allowListed, captchaFor: undefined, counterKeys: [] }
  await judge(context, subject, now, check, blocks, judged, country, early)
  return check
}

/** A read of breaker counters under way: each judged scope's current and previous window, in order. */
interface CounterRead {
  keys: string[]
  counters: Promise<Record<string, number>[]>
}

/**
 * The same for the mobile network the lookup named (known only after it): its block and breaker.
 * Adds the network's counter to `check`.
 */
export async function checkNetwork(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  check: ScopeCheck,
  network: { name?: string; mcc?: string; mnc?: string } | undefined,
): Promise<void> {
  const scope = network && networkScope(network)
  if (!scope) return
  const [stored] = await context.store.getListEntries(BLOCKS_LIST, [scope], now)
  const blocks = new Map([[scope, parseBlock(stored ?? null)]])
  await judge(context, subject, now, check, blocks, [{ scope, minSends: context.policy.conversionMinSends }])
}

/**
 * Whether `verified` of `sent` shows a conversion below `threshold` with 95 % confidence: the upper
 * bound of the Wilson score interval is under it. A point estimate would trip on noise — 20 sends
 * of a site whose users verify 60 % of the time fall under half often enough to block real users
 * every day — while none verified of 5 is already conclusive (bound 0.43).
 */
export function surelyBelow(verified: number, sent: number, threshold: number): boolean {
  if (sent === 0) return false
  const z = 2.576
  const share = Math.min(verified, sent) / sent
  const spread = z * Math.sqrt((share * (1 - share)) / sent + (z * z) / (4 * sent * sent))
  const upper = (share + (z * z) / (2 * sent) + spread) / (1 + (z * z) / sent)
  return upper < threshold
}

/**
 * Sends a scope needs in the window before it is judged: fewer after a block it had within the last
 * day (half for each level, at least 3), so that an attack that waits out a block is stopped sooner
 * each time.
 */
function sendsToJudge(minSends: number, remembered: ScopeBlock | undefined): number {
  return remembered ? Math.max(Math.min(3, minSends), Math.ceil(minSends / 2 ** remembered.level)) : minSends
}

/**
 * Reads the `judged` scopes' breaker counters, refuses for an active block (unless allow-listed),
 * notes a captcha, then runs the breaker on the judged scopes that have no active block (or only a
 * captcha), and adds their counter keys to `check`. With `country`, the rare-countries scope applies
 * only while that country has too few sends of its own to be judged alone.
 */
async function judge(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  check: ScopeCheck,
  blocks: Map<string, ScopeBlock | undefined>,
  judged: { scope: string; minSends: number }[],
  country?: string,
  early?: CounterRead,
): Promise<void> {
  const { policy } = context
  const active = (block: ScopeBlock | undefined) => block !== undefined && block.until > now
  const keys = judged.map(({ scope }) => breakerKeys(context, scope, blocks.get(scope), now))
  const wanted = keys.flatMap(({ current, previous }) => [current, previous])
  const readEarly = early?.keys.length === wanted.length && early.keys.every((key, i) => key === wanted[i])
  const counters = await (readEarly ? early.counters : context.store.readCounters(wanted, now))
  const total = (index: number, field: 'sent' | 'verified') =>
    (counters[2 * index]?.[field] ?? 0) + (counters[2 * index + 1]?.[field] ?? 0)
  // A country blocked within the last day is judged alone from then on, on its own fresh counts.
  const countryIndex = judged.findIndex(({ scope }) => scope === country)
  const rare =
    countryIndex >= 0 && !blocks.get(country!) && total(countryIndex, 'sent') < policy.conversionMinSends
  const applies = (scope: string) => scope !== RARE_COUNTRIES_SCOPE || rare

  if (!check.allowListed) {
    for (const block of blocks.values()) {
      if (!active(block) || !applies(block!.scope)) continue
      if (block!.action === 'block')
        await refuse(context, subject, now, block!.reason, block!.scope, block!.until - now)
      else check.captchaFor ??= { reason: block!.reason, scope: block!.scope }
    }
  }
  for (const [index, { scope, minSends }] of judged.entries()) {
    if (!applies(scope)) continue
    const block = blocks.get(scope)
    let key = keys[index]!.current
    // A scope under a captcha is judged on: sends past the captcha that still don't verify block it.
    if (!check.allowListed && (!active(block) || block!.action === 'captcha')) {
      const sent = total(index, 'sent')
      if (
        sent >= sendsToJudge(minSends, block) &&
        surelyBelow(total(index, 'verified'), sent, policy.minConversion)
      ) {
        const tripped = await trip(context, subject, now, scope, 'LOW_CONVERSION', block)
        if (tripped?.action === 'block')
          await refuse(context, subject, now, tripped.reason, scope, tripped.until - now)
        if (tripped) {
          check.captchaFor ??= { reason: 'LOW_CONVERSION', scope }
          key = breakerKeys(context, scope, tripped, now).current
        }
      }
    }
    check.counterKeys.push(key)
  }
}

/** Gives back what a step took, for a send that did not happen. */
export type Release = () => Promise<void>

/**
 * Range velocity: one send counted against the number's 1k and 10k ranges, in the same store step as
 * the send quotas (`hits` go to takeSendQuotas). Over a limit, the send is refused (the step gave
 * everything back) and the range blocked. Allow-listed numbers are not counted. In shadow mode
 * nothing is refused: every hit counts, and each one over its limit is recorded.
 */
export function rangeVelocity(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  check: ScopeCheck,
) {
  const { policy, store } = context
  const ranges = check.allowListed
    ? []
    : [
        { scope: rangeScope(subject.e164, 3), rate: policy.rangeLimit },
        { scope: rangeScope(subject.e164, 4), rate: policy.wideRangeLimit },
      ]
  const shadow = policy.shadow.has('RANGE_VELOCITY')
  const hits: HitRequest[] = ranges.map(({ scope, rate }) => ({
    key: `velocity:${scope}`,
    limit: shadow ? Number.MAX_SAFE_INTEGER : rate.limit,
    windowMs: rate.windowMs,
  }))
  return {
    hits,
    /** The step refused range `index` (and took nothing): block the range and refuse. */
    async refused(index: number): Promise<never> {
      const { scope } = ranges[index]!
      const block = await trip(context, subject, now, scope, 'RANGE_VELOCITY', undefined)
      await refuse(
        context,
        subject,
        now,
        block?.reason ?? 'RANGE_VELOCITY',
        scope,
        block ? block.until - now : undefined,
      )
      // refuse() throws for a reason not in shadow mode, as RANGE_VELOCITY is when a range refuses.
      throw sendBlocked('RANGE_VELOCITY', scope)
    },
    /** The step took every range: records the ones over their limit in shadow mode. */
    async taken(taken: RateLimitHit[]): Promise<Release> {
      if (shadow) {
        for (const [index, { scope, rate }] of ranges.entries())
          if (taken[index]!.count > rate.limit) await refuse(context, subject, now, 'RANGE_VELOCITY', scope)
      }
      return () => giveBackHits(store, hits, now)
    },
  }
}

/** The UTC day of `now` (`2026-11-30`), made once per day rather than once per send. */
function utcDay(now: number): string {
  const day = Math.floor(now / DAY_MS)
  if (day !== lastDay.day) lastDay = { day, text: new Date(now).toISOString().slice(0, 10) }
  return lastDay.text
}
let lastDay = { day: NaN, text: '' }
const msToUtcMidnight = (now: number) => DAY_MS - (now % DAY_MS)

/** The price of `segments` to `country`, in micros. */
export function priceOf(policy: ResolvedPolicy, country: string | undefined, segments: number): number {
  const perSegment = (country !== undefined ? policy.prices[country] : undefined) ?? policy.prices['*'] ?? 0
  return perSegment * segments
}

/** The country's daily ceiling in micros, or null for none. */
export function countryCeiling(policy: ResolvedPolicy, country: string): number | null {
  const own = policy.dailySpendLimitPerCountry[country]
  return own !== undefined ? own : (policy.dailySpendLimitPerCountry['*'] ?? null)
}

/** The spend counters of a UTC day: all sends, and one country's. */
export const spendKey = (day: string, country?: string) =>
  country ? `spend:${day}:${country}` : `spend:${day}`

/**
 * The spend ceiling: reserves the SMS's estimated price against today's ceilings (global, then the
 * country's) before it goes out. A ceiling that would be passed refuses, until the UTC day rolls;
 * crossing 80 % of one fires `spend.ceiling_near` once. Test numbers never get here (they are free).
 */
export async function reserveSpend(
  context: PolicyContext,
  subject: PolicySubject,
  now: number,
  cost: number,
): Promise<Release> {
  const { policy, store } = context
  const day = utcDay(now)
  const countryCode = subject.country ?? `+${callingCodeOf(subject.e164) ?? '?'}`
  const ceilings = [
    { scope: 'application', key: spendKey(day), limit: policy.dailySpendLimit },
    {
      scope: `country:${countryCode}`,
      key: spendKey(day, countryCode),
      limit: countryCeiling(policy, countryCode),
    },
  ].filter((ceiling): ceiling is { scope: string; key: string; limit: number } => ceiling.limit !== null)
  if (cost <= 0 || ceilings.length === 0) return async () => {}
  // In shadow mode nothing is refused: the spend counts, and each ceiling it passes is recorded.
  const shadow = policy.shadow.has('SPEND_CEILING')
  const windowMs = msToUtcMidnight(now)
  const hits = ceilings.map(({ key, limit }) => ({
    key,
    limit: shadow ? Number.MAX_SAFE_INTEGER : limit,
    windowMs,
    cost,
  }))
  // Every ceiling in one step; a refusal has given all back.
  const taken = await takeHits(store, hits, now)
  if (!taken.allowed) {
    const ceiling = ceilings[taken.refused]!
    await refuse(context, subject, now, 'SPEND_CEILING', ceiling.scope, taken.hit.resetAt - now)
    return async () => {} // not reached: the refusal above throws, as SPEND_CEILING is not in shadow
  }
  for (const [index, ceiling] of ceilings.entries()) {
    const hit = taken.hits[index]!
    if (hit.count > ceiling.limit) {
      await refuse(context, subject, now, 'SPEND_CEILING', ceiling.scope)
      continue
    }
    const near = 0.8 * ceiling.limit
    if (hit.count - cost < near && hit.count >= near) {
      emit(context, {
        type: 'spend.ceiling_near',
        at: now,
        scope: ceiling.scope,
        spent: fromMicros(hit.count),
        ceiling: fromMicros(ceiling.limit),
      })
    }
  }
  return () => giveBackHits(store, hits, now)
}

/** What one SMS that went out (or may have) adds to the statistics. */
export interface SentFacts {
  provider: string
  segments: number
  cost: number
  network: string | undefined
}

/** The statistics of a send that went out (or may have): by country, provider and network. */
export function sentStats(subject: PolicySubject, facts: SentFacts): Tally {
  const country = countryScope(subject.country, subject.e164)
  const stats: Tally = {
    sent: 1,
    [`sent|${country}`]: 1,
    [`sent|provider:${facts.provider}`]: 1,
    segments: facts.segments,
    spend: facts.cost,
    [`spend|${country}`]: facts.cost,
  }
  if (facts.network) stats[`sent|${facts.network}`] = 1
  return stats
}

/** A breaker counter lives through its window and the next (both are read), and a PIN's life more. */
const breakerCounterTtl = (context: PolicyContext) => 2 * context.policy.conversionWindowMs + context.pinTtlMs

/**
 * The breaker counters a send was judged under, counted for it (`sent`) or for its verification
 * (`verified`, under the same ones, so conversion is measured per send).
 */
export function breakerCounts(
  context: PolicyContext,
  counterKeys: readonly string[],
  field: 'sent' | 'verified',
): CounterUpdate[] {
  return counterKeys.map((key) => ({ key, fields: { [field]: 1 }, ttlMs: breakerCounterTtl(context) }))
}
