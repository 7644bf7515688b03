/**
 * What an operator does with the policies at run time, as a small programmatic API (`kit.policy`):
 * list and lift blocks, edit the allow-list, read the statistics and today's spend. Everything is
 * in the store, so every instance sees the same.
 */
import { parseAllowListEntry } from './resolve-policy.js'
import {
  ALLOW_LIST,
  BLOCKS_LIST,
  countryCeiling,
  spendKey,
  type ResolvedPolicy,
  type ScopeBlock,
} from './policy.js'
import { hourlyStatsKey } from './stats.js'
import { fromMicros } from './prices.js'
import type { TwoFactorStore } from '../stores/types.js'

export interface AllowListEntry {
  /** As given: `+385911234567` or `+385911234xxx`. */
  entry: string
  /** `options` for the `allowList` option's entries (which only a restart changes), `store` for the rest. */
  source: 'options' | 'store'
  note?: string
  addedAt?: number
  /** When a run-time entry ends by itself (Unix ms); absent: never. */
  until?: number
}

export interface HourlyStats {
  /** `2026-11-30T19` (UTC). */
  hour: string
  /** `sent`, `verified`, `segments`, `spend`, and the same `|country:HR`, `|network:…`, `|provider:…`; `refused|REASON`, `shadow|REASON`. Spend is in the price table's currency. */
  counters: Record<string, number>
}

export interface SpendReport {
  /** The UTC day, `2026-11-30`. */
  day: string
  /** Estimated spend and ceiling for all sends (ceiling null: none). */
  spent: number
  ceiling: number | null
  /** By country that had sends today. */
  countries: Record<string, { spent: number; ceiling: number | null }>
}

export interface SendPolicyApi {
  /** Scopes under a block or a captcha now. */
  blocks(): Promise<ScopeBlock[]>
  /** Lifts the block on `scope` at once, and forgets it (a next block starts at level 1). True when there was one. */
  lift(scope: string): Promise<boolean>
  /** The allow-list: the options' entries and the ones added at run time. */
  allowList(): Promise<AllowListEntry[]>
  /** Adds a number (`+385911234567`) or a 1k range (`+385911234xxx`), until `until` or for good. */
  allow(entry: string, options?: { note?: string; until?: number | Date }): Promise<void>
  /** Removes an entry added at run time; true when it was there. */
  disallow(entry: string): Promise<boolean>
  /** The last `hours` hours' statistics, newest first (hours without any are left out). */
  hourlyStats(hours?: number): Promise<HourlyStats[]>
  /** The day's estimated spend against the ceilings (today, UTC, by default). */
  spend(day?: string): Promise<SpendReport>
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

export function createSendPolicyApi(context: {
  policy: ResolvedPolicy
  store: TwoFactorStore
  clock: () => number
  /** The `allowList` option as given. */
  allowListOption: readonly string[]
}): SendPolicyApi {
  const { policy, store, clock } = context
  const normalized = (entry: string) => {
    const id = parseAllowListEntry(entry)
    if (!id)
      throw new TypeError(
        `allow-list entries are E.164 numbers ("+385911234567") or 1k ranges ("+385911234xxx"); got ${JSON.stringify(entry)}`,
      )
    return id
  }

  const api: SendPolicyApi = {
    async blocks() {
      const now = clock()
      const entries = await store.listEntries(BLOCKS_LIST, now)
      return entries
        .map((entry) => JSON.parse(entry.value) as ScopeBlock)
        .filter((block) => block.until > now)
        .sort((a, b) => b.since - a.since)
    },

    async lift(scope) {
      const now = clock()
      const [value] = await store.getListEntries(BLOCKS_LIST, [scope], now)
      const active = value !== null && value !== undefined && (JSON.parse(value) as ScopeBlock).until > now
      await store.deleteListEntry(BLOCKS_LIST, scope, now)
      return active
    },

    async allowList() {
      const now = clock()
      const stored = await store.listEntries(ALLOW_LIST, now)
      return [
        ...context.allowListOption.map((entry): AllowListEntry => ({ entry, source: 'options' })),
        ...stored.map((item): AllowListEntry => {
          const value = JSON.parse(item.value) as { entry: string; note?: string; addedAt: number }
          return {
            ...value,
            source: 'store',
            ...(item.expiresAt !== null ? { until: item.expiresAt } : {}),
          }
        }),
      ]
    },

    async allow(entry, options = {}) {
      const id = normalized(entry)
      const now = clock()
      const until = options.until instanceof Date ? options.until.getTime() : options.until
      const value = { entry, addedAt: now, ...(options.note ? { note: options.note } : {}) }
      await store.putListEntry(ALLOW_LIST, id, JSON.stringify(value), until ?? null, now)
    },

    async disallow(entry) {
      return store.deleteListEntry(ALLOW_LIST, normalized(entry), clock())
    },

    async hourlyStats(hours = 24) {
      const now = clock()
      const instants = Array.from(
        { length: Math.max(1, Math.min(hours, 24 * 8)) },
        (_, i) => now - i * HOUR_MS,
      )
      const counters = await store.readCounters(instants.map(hourlyStatsKey), now)
      return instants
        .map((instant, i) => ({
          hour: hourlyStatsKey(instant).slice(6),
          counters: spendInUnits(counters[i] ?? {}),
        }))
        .filter((stats) => Object.keys(stats.counters).length > 0)
    },

    async spend(day) {
      const now = clock()
      const reportDay = day ?? new Date(now).toISOString().slice(0, 10)
      const dayStart = Date.parse(`${reportDay}T00:00:00Z`)
      if (!Number.isFinite(dayStart))
        throw new TypeError(`spend(day): expected "YYYY-MM-DD", got ${reportDay}`)
      const hours = Array.from({ length: 24 }, (_, i) => hourlyStatsKey(dayStart + i * HOUR_MS))
      const stats = await store.readCounters(hours, now)
      const countries = new Set<string>()
      for (const hour of stats)
        for (const field of Object.keys(hour))
          if (field.startsWith('spend|country:')) countries.add(field.slice(14))
      let spent: (country?: string) => number
      if (now < dayStart + DAY_MS) {
        // Today: the ceilings' own counters (what was reserved, as the ceiling sees it), read
        // without counting.
        const windowMs = dayStart + DAY_MS - now
        const read = (key: string) => store.hit(key, Number.MAX_SAFE_INTEGER, windowMs, now, 0)
        const [total, ...perCountry] = await Promise.all([
          read(spendKey(reportDay)),
          ...[...countries].map((country) => read(spendKey(reportDay, country))),
        ])
        const byCountry = new Map([...countries].map((country, i) => [country, perCountry[i]!.count]))
        spent = (country) => (country ? byCountry.get(country)! : total!.count)
      } else {
        // A past day: its ceilings' counters are gone with it; the hourly statistics remain.
        const sum = (field: string) => stats.reduce((total, hour) => total + (hour[field] ?? 0), 0)
        spent = (country) => sum(country ? `spend|country:${country}` : 'spend')
      }
      const ceiling = (micros: number | null) => (micros === null ? null : fromMicros(micros))
      return {
        day: reportDay,
        spent: fromMicros(spent()),
        ceiling: ceiling(policy.dailySpendLimit),
        countries: Object.fromEntries(
          [...countries].map((country) => [
            country,
            { spent: fromMicros(spent(country)), ceiling: ceiling(countryCeiling(policy, country)) },
          ]),
        ),
      }
    },
  }
  return api
}

/** Spend fields from micros to the price table's unit. */
function spendInUnits(counters: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {}
  for (const [field, value] of Object.entries(counters))
    result[field] = field === 'spend' || field.startsWith('spend|') ? fromMicros(value) : value
  return result
}
