/**
 * The Durable Object behind `durableObjectStore()`. A cached answer's object owns its answer, in its
 * SQLite-backed storage through the synchronous KV API (`ctx.storage.kv`). The other objects keep
 * tables in their SQL storage (`ctx.storage.sql`): a PIN shard (`pins:<n>`) its PINs, `limits`
 * every rate-limit window, `counters` every counter key, `lists` every named list's entries and
 * `links` every provider message id's PIN (why so few objects: durable-object.ts).
 *
 * Why this is atomic: every method that reads and then writes is synchronous. It has no `await` at
 * all, so nothing can run inside the object between its check and its act, and the output gate holds
 * the answer back until the write is durable. Keep it that way: an `await` of anything (a fetch,
 * a timer, even an async storage call) inside a check-and-act would reopen the race.
 *
 * An answer's object is forgotten at `forgetAt` (the object's own clock): reads treat it as gone
 * from then on, and an alarm deletes it. Validity decisions use the caller's `now`, like
 * every store. A table row has its own `forget_at` (the object's clock; none for a list entry kept
 * until deleted): reads treat a row past it as gone, and the alarm sweeps such rows out, at most
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
import type { ListRead, TwoFactorObjectApi } from './durable-object.js'

interface CachedValue {
  value: string
  validUntil: number
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
interface EntryRow extends Record<string, string | number | null> {
  id: string
  value: string
  /** Validity, on the caller's clock; null: kept until deleted. */
  expires_at: number | null
}

/** The most often the alarm sweeps expired rows out of the tables. */
const SWEEP_MS = 60_000
// Created by the first call that needs them, so each object holds its own only.
const TABLES = {
  windows:
    'CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, count INTEGER NOT NULL, ' +
    'reset_at INTEGER NOT NULL, forget_at INTEGER NOT NULL)',
  counters:
    'CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, fields TEXT NOT NULL, forget_at INTEGER NOT NULL)',
  entries:
    'CREATE TABLE IF NOT EXISTS entries (list TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, ' +
    'expires_at INTEGER, forget_at INTEGER, PRIMARY KEY (list, id))',
  pins: 'CREATE TABLE IF NOT EXISTS pins (pin_id TEXT PRIMARY KEY, record TEXT NOT NULL, forget_at INTEGER NOT NULL)',
  links:
    'CREATE TABLE IF NOT EXISTS links (message_id TEXT PRIMARY KEY, pin_id TEXT NOT NULL, forget_at INTEGER NOT NULL)',
}
type Table = keyof typeof TABLES
const isExpired = (row: EntryRow, now: number) => row.expires_at !== null && row.expires_at <= now

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
    // The shared objects have no forgetAt: their rows go one by one, never all at once.
    if (forgetAt === undefined) this.#sweep()
    else if (forgetAt > Date.now()) void this.ctx.storage.setAlarm(forgetAt)
    else this.#forgetEverything()
  }

  /** The tables this object has, as far as this instance knows (`tables` in storage is the truth). */
  #tables: Table[] | undefined

  /** The SQL storage, with `table` created in it if it wasn't yet. */
  #sql(table: Table): SqlStorage {
    const sql = this.ctx.storage.sql
    this.#tables ??= this.#kv.get<Table[]>('tables') ?? []
    if (!this.#tables.includes(table)) {
      sql.exec(TABLES[table])
      sql.exec(`CREATE INDEX IF NOT EXISTS ${table}_forget_at ON ${table} (forget_at)`)
      this.#tables = [...this.#tables, table]
      this.#kv.put('tables', this.#tables)
    }
    return sql
  }

  /** Have the alarm sweep the tables no sooner than `at` (the object's clock) and a SWEEP_MS on. */
  #sweepBy(at: number): void {
    const next = this.#kv.get<number>('nextSweep')
    if (next !== undefined && next <= at + SWEEP_MS) return
    this.#kv.put('nextSweep', at + SWEEP_MS)
    // Not awaited on purpose, like setAlarm in #retainFor.
    void this.ctx.storage.setAlarm(at + SWEEP_MS)
  }

  /** Deletes the rows past their `forget_at`, and sets the alarm for the earliest one left. */
  #sweep(): void {
    const clock = Date.now()
    let next = Infinity
    for (const table of this.#kv.get<Table[]>('tables') ?? []) {
      const sql = this.#sql(table)
      sql.exec(`DELETE FROM ${table} WHERE forget_at <= ?`, clock)
      const [row] = sql.exec<{ next: number | null }>(`SELECT MIN(forget_at) AS next FROM ${table}`).toArray()
      if (row?.next != null) next = Math.min(next, row.next)
    }
    this.#kv.delete('nextSweep')
    if (next !== Infinity) this.#sweepBy(Math.max(next, clock))
  }

  /** The PIN `pinId` of this shard, unless past its retention (then it is deleted). */
  #livePin(pinId: string): PinRecord | undefined {
    const sql = this.#sql('pins')
    const [row] = sql
      .exec<{ record: string; forget_at: number }>(
        'SELECT record, forget_at FROM pins WHERE pin_id = ?',
        pinId,
      )
      .toArray()
    if (!row) return undefined
    if (row.forget_at <= Date.now()) {
      sql.exec('DELETE FROM pins WHERE pin_id = ?', pinId)
      return undefined
    }
    return JSON.parse(row.record) as PinRecord
  }

  #savePin(record: PinRecord): void {
    this.#sql('pins').exec(
      'UPDATE pins SET record = ? WHERE pin_id = ?',
      JSON.stringify(record),
      record.pinId,
    )
  }

  createPin(record: PinRecord): boolean {
    if (this.#livePin(record.pinId)) return false
    const forgetAt = Date.now() + Math.max(1, Math.ceil(record.retainUntil - record.createdAt))
    this.#sql('pins').exec(
      'INSERT INTO pins (pin_id, record, forget_at) VALUES (?, ?, ?)',
      record.pinId,
      JSON.stringify(record),
      forgetAt,
    )
    this.#sweepBy(forgetAt)
    return true
  }

  getPin(pinId: string): PinRecord | null {
    return this.#livePin(pinId) ?? null
  }

  // The race gate: check and decrement in one synchronous step (see the file comment).
  consumeAttempt(pinId: string, now: number, singleUse: boolean): ConsumeAttemptResult {
    const record = this.#livePin(pinId)
    const { result, changed } = takeAttempt(record, now, singleUse)
    if (changed) this.#savePin(record!)
    return result
  }

  markVerified(pinId: string, now: number, singleUse: boolean): boolean {
    const record = this.#livePin(pinId)
    if (!markRecordVerified(record, now, singleUse)) return false
    this.#savePin(record!)
    return true
  }

  updatePin(pinId: string, patch: PinPatch): PinRecord | null {
    const record = this.#livePin(pinId)
    if (!record) return null
    applyPinPatch(record, patch)
    this.#savePin(record)
    return record
  }

  linkMessage(messageId: string, pinId: string, retainMs: number): void {
    const forgetAt = Date.now() + Math.max(1, Math.ceil(retainMs))
    this.#sql('links').exec(
      'INSERT INTO links (message_id, pin_id, forget_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (message_id) DO UPDATE SET pin_id = excluded.pin_id, forget_at = excluded.forget_at',
      messageId,
      pinId,
      forgetAt,
    )
    this.#sweepBy(forgetAt)
  }

  linkedPinId(messageId: string): string | null {
    const [row] = this.#sql('links')
      .exec<{ pin_id: string }>(
        'SELECT pin_id FROM links WHERE message_id = ? AND forget_at > ?',
        messageId,
        Date.now(),
      )
      .toArray()
    return row?.pin_id ?? null
  }

  /** The window of `key` while it runs (by the caller's `now`) and is kept (by the object's clock). */
  #window(key: string, now: number): WindowRow | undefined {
    const [row] = this.#sql('windows')
      .exec<WindowRow>('SELECT count, reset_at, forget_at FROM windows WHERE key = ?', key)
      .toArray()
    return row && row.reset_at > now && row.forget_at > Date.now() ? row : undefined
  }

  #hit(key: string, limit: number, windowMs: number, now: number, cost: number): RateLimitHit {
    let window = this.#window(key, now)
    const opened = !window
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
      if (window.count === 0) this.#sql('windows').exec('DELETE FROM windows WHERE key = ?', key)
      else {
        this.#sql('windows').exec(
          'INSERT INTO windows (key, count, reset_at, forget_at) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT (key) DO UPDATE SET count = excluded.count, reset_at = excluded.reset_at, ' +
            'forget_at = excluded.forget_at',
          key,
          window.count,
          window.reset_at,
          window.forget_at,
        )
        // A window's forget_at never moves, so only a new one needs the sweep scheduled.
        if (opened) this.#sweepBy(window.forget_at)
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

  /** The entry `id` of `list`, unless it has expired at the caller's `now` (then it is deleted). */
  #liveEntry(list: string, id: string, now: number): EntryRow | undefined {
    const sql = this.#sql('entries')
    const [row] = sql
      .exec<EntryRow>('SELECT id, value, expires_at FROM entries WHERE list = ? AND id = ?', list, id)
      .toArray()
    if (row && isExpired(row, now)) {
      sql.exec('DELETE FROM entries WHERE list = ? AND id = ?', list, id)
      return undefined
    }
    return row
  }

  putListEntry(list: string, id: string, value: string, expiresAt: number | null, now: number): void {
    const sql = this.#sql('entries')
    if (expiresAt !== null && expiresAt <= now) {
      sql.exec('DELETE FROM entries WHERE list = ? AND id = ?', list, id)
      return
    }
    const forgetAt = expiresAt === null ? null : Date.now() + Math.max(1, Math.ceil(expiresAt - now))
    sql.exec(
      'INSERT INTO entries (list, id, value, expires_at, forget_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (list, id) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, ' +
        'forget_at = excluded.forget_at',
      list,
      id,
      value,
      expiresAt,
      forgetAt,
    )
    if (forgetAt !== null) this.#sweepBy(forgetAt)
  }

  getListEntries(reads: readonly ListRead[]): (string | null)[][] {
    return reads.map(({ list, ids, now }) => ids.map((id) => this.#liveEntry(list, id, now)?.value ?? null))
  }

  listEntries(list: string, now: number): ListEntry[] {
    const sql = this.#sql('entries')
    const live: ListEntry[] = []
    for (const row of sql
      .exec<EntryRow>('SELECT id, value, expires_at FROM entries WHERE list = ?', list)
      .toArray()) {
      if (isExpired(row, now)) sql.exec('DELETE FROM entries WHERE list = ? AND id = ?', list, row.id)
      else live.push({ id: row.id, value: row.value, expiresAt: row.expires_at })
    }
    return live
  }

  deleteListEntry(list: string, id: string, now: number): boolean {
    const live = this.#liveEntry(list, id, now) !== undefined
    this.#sql('entries').exec('DELETE FROM entries WHERE list = ? AND id = ?', list, id)
    return live
  }

  #counters(key: string): CounterRow | undefined {
    const [row] = this.#sql('counters')
      .exec<CounterRow>('SELECT fields, forget_at FROM counters WHERE key = ?', key)
      .toArray()
    return row && row.forget_at > Date.now() ? row : undefined
  }

  // A key is kept ttlMs from its first addition, like a window: later additions don't extend it.
  // Keys are independent (the store's contract): no transaction around them, each key's read and
  // write being one synchronous step already.
  addCounters(updates: readonly CounterUpdate[]): void {
    for (const { key, fields, ttlMs } of updates) {
      const row = this.#counters(key)
      const counters: Record<string, number> = row ? (JSON.parse(row.fields) as Record<string, number>) : {}
      const forgetAt = row?.forget_at ?? Date.now() + Math.max(1, Math.ceil(ttlMs))
      for (const [field, amount] of Object.entries(fields)) counters[field] = (counters[field] ?? 0) + amount
      this.#sql('counters').exec(
        'INSERT INTO counters (key, fields, forget_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET fields = excluded.fields, forget_at = excluded.forget_at',
        key,
        JSON.stringify(counters),
        forgetAt,
      )
      if (!row) this.#sweepBy(forgetAt)
    }
  }

  readCounters(keys: readonly string[]): Record<string, number>[] {
    return keys.map((key) => {
      const row = this.#counters(key)
      return row ? (JSON.parse(row.fields) as Record<string, number>) : {}
    })
  }
}
