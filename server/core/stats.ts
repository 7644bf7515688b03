/**
 * The statistics the operator's console reads: counters by hour (`stats:2026-11-30T19`, a week and a
 * day) and running totals (`stats:total`, 400 days), the same fields in both, written in one
 * `addCounters` per request. Money in micros. The fields:
 * `requested`, `requested|country:XX` (sends and resends of a valid number that reached the
 * policies); `sent`, `sent|country:XX`, `sent|provider:P`, `sent|network:N`; `delivered`,
 * `delivered|country:XX`, `delivered|provider:P`, `undelivered`, `undelivered|provider:P` (once per
 * PIN and final status); `verified`, `verified|country:XX`, `verified|network:N`,
 * `verified|provider:P`; `failed_attempt`, `locked`, `expired`; `sms_failed|provider:P` (each failed
 * provider call), `failover|provider:P` (each move from P to the next provider);
 * `latency_ms|provider:P`, `latency_count|provider:P` (successful provider calls); `segments`,
 * `spend`, `spend|country:XX`; `refused|REASON`, `shadow|REASON`, `rate_limited|LIMIT`,
 * `lookup_refused`, `captcha_failed`. Statistics never refuse and never fail a request.
 */
import type { Logger } from './log.js'
import type { CounterUpdate, TwoFactorStore } from '../stores/types.js'

const DAY_MS = 86_400_000
/** How long statistics by hour are kept: a week, for the console's charts, and a day more. */
export const HOURLY_STATS_TTL_MS = 8 * DAY_MS
/** The running totals' key, and how long it is kept from its first count. */
export const TOTAL_STATS_KEY = 'stats:total'
export const TOTAL_STATS_TTL_MS = 400 * DAY_MS

/** The hour's statistics bucket (UTC): `stats:2026-11-30T19`. */
export function hourlyStatsKey(now: number): string {
  // Every request of an hour names the same key: made once per hour, not once per request.
  const hour = Math.floor(now / HOUR_MS)
  if (hour !== lastHour.hour) lastHour = { hour, key: `stats:${new Date(now).toISOString().slice(0, 13)}` }
  return lastHour.key
}
const HOUR_MS = 3_600_000
let lastHour = { hour: NaN, key: '' }

/** Field → amount, gathered over one request and written once. */
export type Tally = Record<string, number>

export function tallyAdd(tally: Tally, fields: Tally): void {
  for (const [field, amount] of Object.entries(fields)) tally[field] = (tally[field] ?? 0) + amount
}

/** The hour's and the running totals' updates for `fields`. */
export function statsUpdates(now: number, fields: Tally): CounterUpdate[] {
  return [
    { key: hourlyStatsKey(now), fields, ttlMs: HOURLY_STATS_TTL_MS },
    { key: TOTAL_STATS_KEY, fields, ttlMs: TOTAL_STATS_TTL_MS },
  ]
}

/**
 * Adds `fields` to the hour and the totals, with `also` (the breaker's counters) in the same call.
 * Nothing to add, no call; a failure is logged, never passed on.
 */
export async function addStats(
  context: { store: TwoFactorStore; logger: Logger },
  now: number,
  fields: Tally,
  also: readonly CounterUpdate[] = [],
): Promise<void> {
  const updates = [...also, ...(Object.keys(fields).length > 0 ? statsUpdates(now, fields) : [])]
  if (updates.length === 0) return
  try {
    await context.store.addCounters(updates, now)
  } catch (error) {
    context.logger.error({ err: error }, 'could not count statistics')
  }
}
