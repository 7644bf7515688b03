/**
 * The Durable Object behind `durableObjectStore()`. One instance owns one key — a PIN record, a
 * message link, a cached answer or a named list — and keeps it in its SQLite-backed storage through
 * the synchronous KV API (`ctx.storage.kv`); or it is the `limits` object, which keeps every
 * rate-limit window, or the `counters` object, which keeps every counter key, each a table of its
 * SQL storage (`ctx.storage.sql`), so that a send's windows are taken in one call and a request's
 * counters read or added in one.
 *
 * Why this is atomic: every method that reads and then writes is synchronous. It has no `await` at
 * all, so nothing can run inside the object between its check and its act, and the output gate holds
 * the answer back until the write is durable. Keep it that way: an `await` of anything (a fetch,
 * a timer, even an async storage call) inside a check-and-act would reopen the race.
 *
 * Storage is forgotten at `forgetAt` (the object's own clock): reads treat it as gone from then on,
 * and an alarm deletes it. Validity decisions use the caller's `now`, like every store. A list object
 * has no `forgetAt`: each entry (`entry:<id>`) expires on its own, so one entry's end is never the
 * list's; reads drop expired entries, and the alarm deletes them at the earliest entry's time
 * (`nextCleanup`). Rows of the limits and counters tables likewise: each has its own `forget_at`
 * (the object's clock), reads treat a row past it as gone, and the alarm sweeps them — at most
 * once a SWEEP_MS, since a busy table has rows ending every moment and each alarm is a write.
 *
 * Loads `cloudflare:workers`: import it from the Workers entry only, never from code Node loads.
 */
import { DurableObject } from 'cloudflare:workers'
import { applyPinPatch, markRecordVerified, takeAttempt } from '../core/pin-record.js'
import type {
  ConsumeAttemptResult,
  CounterUpdate,
  HitAllResult,
  HitRequest,
  ListEntry,
  PinPatch,
  PinRecord,
  RateLimitHit,
} from './types.js'
import type { TwoFactorObjectApi } from './durable-object.js'

interface RateWindow {
  count: number
  resetAt: number
}
interface CachedValue {
  value: string
  validUntil: number
}
interface StoredListEntry {
  value: string
  /** Validity, on the caller's clock. */
  expiresAt: number | null
  /** Cleanup, on the object's clock. */
  forgetAt: number | null
}

interface WindowRow extends Record<string, number> {
  count: number
  /** The window's end, on the caller's clock. */
  reset_at: number
  /** Cleanup, on the object's clock. */
  forget_at: number
}
interface CounterRow extends Record<string, string | number> {
  /** JSON: field → integer. */
  fields: string
  forget_at: number
}

const ENTRY = 'entry:'
/** The most often the alarm sweeps expired rows out of the limits and counters tables. */
const SWEEP_MS = 60_000
// Created on the first call that needs them, so a PIN's or a list's object never holds them.
const TABLES = [
  'CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL, forget_at INTEGER NOT NULL)',
  'CREATE INDEX IF NOT EXISTS windows_forget_at ON windows (forget_at)',
  'CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, fields TEXT NOT NULL, forget_at INTEGER NOT NULL)',
  'CREATE INDEX IF NOT EXISTS counters_forget_at ON counters (forget_at)',
]
const isExpired = (entry: StoredListEntry, now: number) => entry.expiresAt !== null && entry.expiresAt <= now

export class TwoFactorDurableObject extends DurableObject implements TwoFactorObjectApi {
  // `#private`, not TypeScript's `private`: only the methods below are reachable over RPC.
  get #kv(): SyncKvStorage {
    return this.ctx.storage.kv
  }

  /** The value under `key`, unless this object's retention has run out (then everything goes). */
  #live<T>(key: string): T | undefined {
    const forgetAt = this.#kv.get<number>('forgetAt')
    if (forgetAt !== undefined && forgetAt <= Date.now()) {
      this.#forgetEverything()
      return undefined
    }
    return this.#kv.get<T>(key)
  }

  #forgetEverything(): void {
    for (const [key] of [...this.#kv.list()]) this.#kv.delete(key)
  }

  /** Keep what this object holds for `retainMs` from now; the alarm cleans up after that. */
  #retainFor(retainMs: number): void {
    const forgetAt = Date.now() + Math.max(1, Math.ceil(retainMs))
    this.#kv.put('forgetAt', forgetAt)
    // Not awaited on purpose: the output gate already holds the answer until the alarm is stored.
    void this.ctx.storage.setAlarm(forgetAt)
  }

  override alarm(): void {
    const forgetAt = this.#kv.get<number>('forgetAt')
    // Only a list object and the limits and counters objects have no forgetAt: what they hold goes
    // entry by entry, row by row, never all at once.
    if (forgetAt === undefined) this.#forgetExpiredEntries()
    else if (forgetAt > Date.now()) void this.ctx.storage.setAlarm(forgetAt)
    else this.#forgetEverything()
  }

  #tablesReady = false

  /** The SQL storage, with the limits and counters tables in it. */
  get #sql(): SqlStorage {
    const sql = this.ctx.storage.sql
    if (!this.#tablesReady) {
      if (!this.#kv.get('tables')) {
        for (const statement of TABLES) sql.exec(statement)
        this.#kv.put('tables', true)
      }
      this.#tablesReady = true
    }
    return sql
  }

  /** Deletes the table rows past their `forget_at`; the earliest `forget_at` left, or Infinity. */
  #sweepTables(clock: number): number {
    if (!this.#kv.get('tables')) return Infinity
    let next = Infinity
    for (const table of ['windows', 'counters']) {
      this.#sql.exec(`DELETE FROM ${table} WHERE forget_at <= ?`, clock)
      const [row] = this.#sql
        .exec<{ next: number | null }>(`SELECT MIN(forget_at) AS next FROM ${table}`)
        .toArray()
      if (row?.next != null) next = Math.min(next, row.next)
    }
    return next
  }

  /** The list entry `id`, unless it has expired at the caller's `now` (then it is deleted). */
  #liveEntry(id: string, now: number): StoredListEntry | undefined {
    const entry = this.#kv.get<StoredListEntry>(ENTRY + id)
    if (entry && isExpired(entry, now)) {
      this.#kv.delete(ENTRY + id)
      return undefined
    }
    return entry
  }

  /** Have the alarm clean up the list no later than `at` (the object's clock). */
  #cleanUpBy(at: number): void {
    const next = this.#kv.get<number>('nextCleanup')
    if (next !== undefined && next <= at) return
    this.#kv.put('nextCleanup', at)
    // Not awaited on purpose, like setAlarm in #retainFor.
    void this.ctx.storage.setAlarm(at)
  }

  #forgetExpiredEntries(): void {
    const clock = Date.now()
    let next = Infinity
    for (const [key, entry] of [...this.#kv.list<StoredListEntry>({ prefix: ENTRY })]) {
      if (entry.forgetAt === null) continue
      if (entry.forgetAt <= clock) this.#kv.delete(key)
      else next = Math.min(next, entry.forgetAt)
    }
    const nextRow = this.#sweepTables(clock)
    if (nextRow !== Infinity) next = Math.min(next, Math.max(nextRow, clock + SWEEP_MS))
    this.#kv.delete('nextCleanup')
    if (next !== Infinity) this.#cleanUpBy(next)
  }

  createPin(record: PinRecord): boolean {
    if (this.#live<PinRecord>('pin')) return false
    this.#kv.put('pin', record)
    this.#retainFor(record.retainUntil - record.createdAt)
    return true
  }

  getPin(): PinRecord | null {
    return this.#live<PinRecord>('pin') ?? null
  }

  // The race gate: check and decrement in one synchronous step (see the file comment).
  consumeAttempt(now: number, singleUse: boolean): ConsumeAttemptResult {
    const record = this.#live<PinRecord>('pin')
    const { result, changed } = takeAttempt(record, now, singleUse)
    if (changed) this.#kv.put('pin', record)
    return result
  }

  markVerified(now: number, singleUse: boolean): boolean {
    const record = this.#live<PinRecord>('pin')
    if (!markRecordVerified(record, now, singleUse)) return false
    this.#kv.put('pin', record)
    return true
  }

  updatePin(patch: PinPatch): PinRecord | null {
    const record = this.#live<PinRecord>('pin')
    if (!record) return null
    applyPinPatch(record, patch)
    this.#kv.put('pin', record)
    return record
  }

  linkMessage(pinId: string, retainMs: number): void {
    this.#kv.put('link', pinId)
    this.#retainFor(retainMs)
  }

  linkedPinId(): string | null {
    return this.#live<string>('link') ?? null
  }

  /** The window of `key` while it runs (by the caller's `now`) and is kept (by the object's clock). */
  #window(key: string, now: number): WindowRow | undefined {
    const [row] = this.#sql
      .exec<WindowRow>('SELECT count, reset_at, forget_at FROM windows WHERE key = ?', key)
      .toArray()
    return row && row.reset_at > now && row.forget_at > Date.now() ? row : undefined
  }

  #hit(key: string, limit: number, windowMs: number, now: number, cost: number): RateLimitHit {
    let window = this.#window(key, now)
    if (!window) {
      if (cost <= 0) return { allowed: true, count: 0, resetAt: now + windowMs }
      window = {
        count: 0,
        reset_at: now + windowMs,
        forget_at: Date.now() + Math.max(1, Math.ceil(windowMs)),
      }
    }
    if (cost !== 0) {
      window.count = Math.max(0, window.count + cost)
      // Given back to zero, the window goes: a refused request leaves nothing stored.
      if (window.count === 0) this.#sql.exec('DELETE FROM windows WHERE key = ?', key)
      else {
        this.#sql.exec(
          'INSERT INTO windows (key, count, reset_at, forget_at) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT (key) DO UPDATE SET count = excluded.count, reset_at = excluded.reset_at, ' +
            'forget_at = excluded.forget_at',
          key,
          window.count,
          window.reset_at,
          window.forget_at,
        )
        this.#cleanUpBy(window.forget_at + SWEEP_MS)
      }
    }
    return { allowed: window.count <= limit, count: window.count, resetAt: window.reset_at }
  }

  hit(key: string, limit: number, windowMs: number, now: number, cost: number): RateLimitHit {
    return this.#hit(key, limit, windowMs, now, cost)
  }

  // One synchronous step, like every check-and-act here; in a transaction as well, so that an
  // error half-way (storage full, say) leaves no hit of the call counted.
  hitAll(hits: readonly HitRequest[], now: number): HitAllResult {
    return this.ctx.storage.transactionSync((): HitAllResult => {
      const taken: RateLimitHit[] = []
      for (const [index, { key, limit, windowMs, cost = 1 }] of hits.entries()) {
        const hit = this.#hit(key, limit, windowMs, now, cost)
        if (!hit.allowed) {
          for (const given of hits.slice(0, index + 1))
            this.#hit(given.key, given.limit, given.windowMs, now, -(given.cost ?? 1))
          return { allowed: false, refused: index, hit }
        }
        taken.push(hit)
      }
      return { allowed: true, hits: taken }
    })
  }

  setCached(value: string, ttlMs: number, now: number): void {
    this.#kv.put('cached', { value, validUntil: now + ttlMs } satisfies CachedValue)
    this.#retainFor(ttlMs)
  }

  getCached(now: number): string | null {
    const cached = this.#live<CachedValue>('cached')
    return cached && cached.validUntil > now ? cached.value : null
  }

  putListEntry(id: string, value: string, expiresAt: number | null, now: number): void {
    if (expiresAt !== null && expiresAt <= now) {
      this.#kv.delete(ENTRY + id)
      return
    }
    const forgetAt = expiresAt === null ? null : Date.now() + Math.max(1, Math.ceil(expiresAt - now))
    this.#kv.put(ENTRY + id, { value, expiresAt, forgetAt } satisfies StoredListEntry)
    if (forgetAt !== null) this.#cleanUpBy(forgetAt)
  }

  getListEntries(ids: readonly string[], now: number): (string | null)[] {
    return ids.map((id) => this.#liveEntry(id, now)?.value ?? null)
  }

  listEntries(now: number): ListEntry[] {
    const live: ListEntry[] = []
    for (const [key, entry] of [...this.#kv.list<StoredListEntry>({ prefix: ENTRY })]) {
      if (isExpired(entry, now)) this.#kv.delete(key)
      else live.push({ id: key.slice(ENTRY.length), value: entry.value, expiresAt: entry.expiresAt })
    }
    return live
  }

  deleteListEntry(id: string, now: number): boolean {
    const live = this.#liveEntry(id, now) !== undefined
    this.#kv.delete(ENTRY + id)
    return live
  }

  #counters(key: string): CounterRow | undefined {
    const [row] = this.#sql
      .exec<CounterRow>('SELECT fields, forget_at FROM counters WHERE key = ?', key)
      .toArray()
    return row && row.forget_at > Date.now() ? row : undefined
  }

  // A key is kept ttlMs from its first addition, like a window: later additions don't extend it.
  addCounters(updates: readonly CounterUpdate[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const { key, fields, ttlMs } of updates) {
        const row = this.#counters(key)
        const counters: Record<string, number> = row ? (JSON.parse(row.fields) as Record<string, number>) : {}
        const forgetAt = row?.forget_at ?? Date.now() + Math.max(1, Math.ceil(ttlMs))
        for (const [field, amount] of Object.entries(fields))
          counters[field] = (counters[field] ?? 0) + amount
        this.#sql.exec(
          'INSERT INTO counters (key, fields, forget_at) VALUES (?, ?, ?) ' +
            'ON CONFLICT (key) DO UPDATE SET fields = excluded.fields, forget_at = excluded.forget_at',
          key,
          JSON.stringify(counters),
          forgetAt,
        )
        this.#cleanUpBy(forgetAt + SWEEP_MS)
      }
    })
  }

  readCounters(keys: readonly string[]): Record<string, number>[] {
    return keys.map((key) => {
      const row = this.#counters(key)
      return row ? (JSON.parse(row.fields) as Record<string, number>) : {}
    })
  }
}
