/**
 * The Durable Object behind `durableObjectStore()`. One instance owns one key — a PIN record, a
 * rate-limit window, a message link, a cached answer, a named list or one key's counters — and keeps
 * it in its SQLite-backed storage through the synchronous KV API (`ctx.storage.kv`).
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
 * (`nextCleanup`).
 *
 * Loads `cloudflare:workers`: import it from the Workers entry only, never from code Node loads.
 */
import { DurableObject } from 'cloudflare:workers'
import { applyPinPatch, markRecordVerified, takeAttempt } from '../core/pin-record.js'
import type { ConsumeAttemptResult, ListEntry, PinPatch, PinRecord, RateLimitHit } from './types.js'
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

const ENTRY = 'entry:'
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

  /** A rate-limit object holds nothing but its window: forget it all and cancel the alarm. */
  #forgetWindow(): void {
    this.#forgetEverything()
    // Not awaited on purpose, like setAlarm: the output gate holds the answer until it is done.
    void this.ctx.storage.deleteAlarm()
  }

  override alarm(): void {
    const forgetAt = this.#kv.get<number>('forgetAt')
    // Only a list object has no forgetAt: its entries go one by one, never all at once.
    if (forgetAt === undefined) this.#forgetExpiredEntries()
    else if (forgetAt > Date.now()) void this.ctx.storage.setAlarm(forgetAt)
    else this.#forgetEverything()
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

  hit(limit: number, windowMs: number, now: number, cost: number): RateLimitHit {
    let window = this.#live<RateWindow>('window')
    if (window && window.resetAt <= now) window = undefined
    if (!window) {
      if (cost <= 0) return { allowed: true, count: 0, resetAt: now + windowMs }
      window = { count: 0, resetAt: now + windowMs }
      this.#retainFor(windowMs)
    }
    if (cost !== 0) {
      window.count = Math.max(0, window.count + cost)
      // Given back to zero, the window goes with its alarm: a refused request leaves nothing stored.
      if (window.count === 0) this.#forgetWindow()
      else this.#kv.put('window', window)
    }
    return { allowed: window.count <= limit, count: window.count, resetAt: window.resetAt }
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

  // A counter object is kept ttlMs from its first addition, like a window: later ones don't extend it.
  addCounters(fields: Record<string, number>, ttlMs: number): void {
    let counters = this.#live<Record<string, number>>('counters')
    if (!counters) {
      counters = {}
      this.#retainFor(ttlMs)
    }
    for (const [field, amount] of Object.entries(fields)) counters[field] = (counters[field] ?? 0) + amount
    this.#kv.put('counters', counters)
  }

  readCounters(): Record<string, number> {
    return this.#live<Record<string, number>>('counters') ?? {}
  }
}
