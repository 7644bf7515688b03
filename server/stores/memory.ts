/**
 * The embedded default store: one process, no dependencies. Every operation runs synchronously
 * between awaits, which is what makes it atomic in a single JavaScript thread.
 *
 * Bounded, and a flood can't push PINs out. A rate-limit window given back to zero is deleted at
 * once, so a refused request leaves nothing new. Limiter state — windows, cached lookups, list
 * entries (one per entry) and counter keys (one per key) — may hold at most `maxEntries -
 * reservedForPins` entries; PIN records and their message links may use the rest, the reserve
 * included. When a new key finds no room, the store forgets what has outlived its retention,
 * then the oldest cached lookups (a cache: dropping one costs a lookup, never a budget), and if that
 * is not enough it refuses the new key with a StoreError (503). It never evicts a live window (that
 * would hand an attacker a fresh budget), a list entry (a block lifted early is the same gift), a
 * counter, nor a PIN record or its links.
 */
import { StoreError } from '../core/errors.js'
import { applyPinPatch, markRecordVerified, takeAttempt } from '../core/pin-record.js'
import { checkCounterUpdates } from './counter-updates.js'
import type {
  ConsumeAttemptResult,
  HitAllResult,
  ListEntry,
  PinPatch,
  PinRecord,
  RateLimitHit,
  TwoFactorStore,
} from './types.js'

export interface MemoryStoreOptions {
  /**
   * Most keys held at once (PIN records, message-id links, rate-limit windows, cached lookups, list
   * entries and counter keys).
   * @default 100000
   */
  maxEntries?: number
  /**
   * Entries that limiter state (windows, cached lookups, list entries, counters) may never take,
   * kept for PIN records and their message links (2 per PIN with one SMS). Windows outlive PINs (a number's window lasts a
   * day, a PIN record twice its lifetime), so they get the larger share.
   * @default a quarter of maxEntries, rounded down
   */
  reservedForPins?: number
  /**
   * The clock used to forget entries past their retention. Validity decisions use the `now` the
   * caller passes; this only governs cleanup.
   * @default Date.now
   */
  clock?: () => number
}

type Entry =
  | { kind: 'pin'; record: PinRecord; forgetAt: number }
  | { kind: 'link'; pinId: string; forgetAt: number }
  | { kind: 'window'; count: number; resetAt: number; forgetAt: number }
  | { kind: 'cached'; value: string; validUntil: number; forgetAt: number }
  | { kind: 'listEntry'; list: string; id: string; value: string; expiresAt: number | null; forgetAt: number }
  | { kind: 'counters'; fields: Record<string, number>; forgetAt: number }

/** All but PINs and their links: what a flood of requests could multiply, and may not take the reserve. */
const isLimiterState = (entry: Entry) => entry.kind !== 'pin' && entry.kind !== 'link'

const SWEEP_INTERVAL_MS = 30_000

export function memoryStore(options: MemoryStoreOptions = {}): TwoFactorStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 100_000
  const clock = options.clock ?? Date.now
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(`memoryStore: "maxEntries" must be a positive integer, got ${String(maxEntries)}`)
  }
  const reservedForPins = options.reservedForPins ?? Math.floor(maxEntries / 4)
  if (!Number.isInteger(reservedForPins) || reservedForPins < 0 || reservedForPins >= maxEntries) {
    throw new TypeError(
      `memoryStore: "reservedForPins" must be an integer from 0 to maxEntries - 1 (${maxEntries - 1}), got ${String(reservedForPins)}`,
    )
  }
  const limiterCapacity = maxEntries - reservedForPins
  const entries = new Map<string, Entry>()
  let limiterEntries = 0
  // Cached lookups, oldest first (a Set keeps insertion order): the first to go when room is short.
  const cachedKeys = new Set<string>()
  // The store keys of each list's entries, so that listing a list does not scan the whole store.
  const listKeys = new Map<string, Set<string>>()
  // No entry is forgotten before this instant: a full store doesn't scan itself on every request.
  let nextForgetAt = Infinity
  let lastSweep = clock()

  /** Sets `key` to `entry`; `previous` is what the key holds now (write has just read it). */
  function put(key: string, entry: Entry, previous: Entry | undefined): void {
    // Replaced in place: a delete and an insert would leave a hole in a big map's table each time,
    // and every rewrite of a record, a list entry or a window would pay for the table's compaction.
    entries.set(key, entry)
    nextForgetAt = Math.min(nextForgetAt, entry.forgetAt)
    // A rewrite of the same kind (a list entry's key names its list) leaves the counts and indexes
    // as they are; a cached lookup's rewrite makes it the newest.
    if (previous?.kind === entry.kind && entry.kind !== 'cached') return
    if (previous) unaccount(key, previous)
    if (isLimiterState(entry)) limiterEntries++
    if (entry.kind === 'cached') cachedKeys.add(key)
    if (entry.kind === 'listEntry') {
      let keys = listKeys.get(entry.list)
      if (!keys) listKeys.set(entry.list, (keys = new Set()))
      keys.add(key)
    }
  }

  function forget(key: string): void {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    unaccount(key, entry)
  }

  /** Takes the entry at `key` out of the counts and indexes kept beside the map. */
  function unaccount(key: string, entry: Entry): void {
    if (isLimiterState(entry)) limiterEntries--
    if (entry.kind === 'cached') cachedKeys.delete(key)
    if (entry.kind === 'listEntry') {
      const keys = listKeys.get(entry.list)
      keys?.delete(key)
      if (keys?.size === 0) listKeys.delete(entry.list)
    }
  }

  function sweep(force = false): void {
    const now = clock()
    if (!force && now - lastSweep < SWEEP_INTERVAL_MS) return
    if (now < nextForgetAt) return
    lastSweep = now
    nextForgetAt = Infinity
    for (const [key, entry] of entries) {
      if (entry.forgetAt <= now) forget(key)
      else nextForgetAt = Math.min(nextForgetAt, entry.forgetAt)
    }
  }

  function read(key: string): Entry | undefined {
    const entry = entries.get(key)
    if (entry && entry.forgetAt <= clock()) {
      forget(key)
      return undefined
    }
    return entry
  }

  function isFull(entry: Entry): boolean {
    return entries.size >= maxEntries || (isLimiterState(entry) && limiterEntries >= limiterCapacity)
  }

  /** Room for one more key of `entry`'s kind: expired entries first, then the oldest cached lookups. */
  function makeRoomFor(entry: Entry): void {
    if (!isFull(entry)) return
    sweep(true)
    for (const key of cachedKeys) {
      if (!isFull(entry)) break
      forget(key)
    }
    if (isFull(entry)) {
      const what = isLimiterState(entry)
        ? `rate-limit windows, cached lookups, list entries and counters (${limiterCapacity} of ${maxEntries} entries; the rest is kept for PINs)`
        : `${maxEntries} entries`
      throw new StoreError(`memory store is full: ${what}`)
    }
  }

  function write(key: string, entry: Entry): void {
    sweep()
    const previous = entries.get(key)
    if (!previous) makeRoomFor(entry)
    put(key, entry, previous)
  }

  const pinKey = (pinId: string) => `pin:${pinId}`
  const linkKey = (messageId: string) => `msg:${messageId}`
  const readPin = (pinId: string) => {
    const entry = read(pinKey(pinId))
    return entry?.kind === 'pin' ? entry : undefined
  }
  // The name's length keeps a list's name and an entry's id apart whatever characters they hold
  // (JSON did the same at several times the cost, on every scope a send checks).
  const listEntryKey = (list: string, id: string) => `list:${list.length}:${list}:${id}`
  /** The entry, if it is live at the caller's `now`. */
  const readListEntry = (key: string, now: number) => {
    const entry = read(key)
    return entry?.kind === 'listEntry' && (entry.expiresAt === null || entry.expiresAt > now)
      ? entry
      : undefined
  }
  const counterKey = (key: string) => `cnt:${key}`
  // Callers get copies: a record handed out must not change under them, nor they under us.
  const copy = (record: PinRecord): PinRecord => ({ ...record, messageIds: [...record.messageIds] })

  function hitNow(key: string, limit: number, windowMs: number, now: number, cost: number): RateLimitHit {
    const storeKey = `rl:${key}`
    const existing = read(storeKey)
    let window = existing?.kind === 'window' && existing.resetAt > now ? existing : undefined
    if (!window) {
      if (existing) forget(storeKey)
      if (cost <= 0) return { allowed: true, count: 0, resetAt: now + windowMs }
      window = { kind: 'window', count: 0, resetAt: now + windowMs, forgetAt: clock() + windowMs }
      write(storeKey, window)
    }
    window.count = Math.max(0, window.count + cost)
    // Given back to zero, the window goes: a refused request leaves nothing behind. That is never a
    // fresh budget: the window held no hit, and the next hit opens one that ends no sooner.
    if (window.count === 0) forget(storeKey)
    return { allowed: window.count <= limit, count: window.count, resetAt: window.resetAt }
  }

  return {
    get size() {
      return entries.size
    },

    async createPin(record) {
      if (readPin(record.pinId)) throw new StoreError(`pin ${record.pinId} exists already`)
      write(pinKey(record.pinId), { kind: 'pin', record: copy(record), forgetAt: record.retainUntil })
      for (const messageId of record.messageIds) {
        write(linkKey(messageId), { kind: 'link', pinId: record.pinId, forgetAt: record.retainUntil })
      }
    },

    async getPin(pinId) {
      const entry = readPin(pinId)
      return entry ? copy(entry.record) : null
    },

    async consumeAttempt(pinId, now, { singleUse }): Promise<ConsumeAttemptResult> {
      const { result } = takeAttempt(readPin(pinId)?.record, now, singleUse)
      return result.ok ? { ok: true, record: copy(result.record) } : result
    },

    async markVerified(pinId, now, { singleUse }) {
      return markRecordVerified(readPin(pinId)?.record, now, singleUse)
    },

    async updatePin(pinId, patch: PinPatch) {
      const entry = readPin(pinId)
      if (!entry) return null
      // The link first: if the store is full, it throws before the record has changed.
      if (patch.addMessageId) {
        write(linkKey(patch.addMessageId), { kind: 'link', pinId, forgetAt: entry.forgetAt })
      }
      applyPinPatch(entry.record, patch)
      return copy(entry.record)
    },

    async findPinIdByMessageId(messageId) {
      const entry = read(linkKey(messageId))
      return entry?.kind === 'link' ? entry.pinId : null
    },

    async hit(key, limit, windowMs, now, cost = 1): Promise<RateLimitHit> {
      return hitNow(key, limit, windowMs, now, cost)
    },

    // Synchronous between the call and its answer: atomic, as every operation here.
    async hitAll(hits, now): Promise<HitAllResult> {
      const taken: RateLimitHit[] = []
      const giveBack = (count: number) => {
        for (const { key, limit, windowMs, cost = 1 } of hits.slice(0, count))
          hitNow(key, limit, windowMs, now, -cost)
      }
      for (const [index, { key, limit, windowMs, cost = 1 }] of hits.entries()) {
        let hit: RateLimitHit
        try {
          hit = hitNow(key, limit, windowMs, now, cost)
        } catch (error) {
          giveBack(index) // full: what this call took goes back
          throw error
        }
        if (!hit.allowed) {
          giveBack(index + 1)
          return { allowed: false, refused: index, hit }
        }
        taken.push(hit)
      }
      return { allowed: true, hits: taken }
    },

    async setCached(key, value, ttlMs, now) {
      write(`cache:${key}`, { kind: 'cached', value, validUntil: now + ttlMs, forgetAt: clock() + ttlMs })
    },

    async getCached(key, now) {
      const entry = read(`cache:${key}`)
      return entry?.kind === 'cached' && entry.validUntil > now ? entry.value : null
    },

    async putListEntry(list, id, value, expiresAt, now) {
      const key = listEntryKey(list, id)
      if (expiresAt !== null && expiresAt <= now) return forget(key)
      // Valid by the caller's clock; kept by the store's for as long, so an entry can be cleaned up.
      const forgetAt = expiresAt === null ? Infinity : clock() + (expiresAt - now)
      write(key, { kind: 'listEntry', list, id, value, expiresAt, forgetAt })
    },

    async getListEntries(list, ids, now) {
      return ids.map((id) => readListEntry(listEntryKey(list, id), now)?.value ?? null)
    },

    async listEntries(list, now) {
      const live: ListEntry[] = []
      for (const key of [...(listKeys.get(list) ?? [])]) {
        const entry = readListEntry(key, now)
        if (entry) live.push({ id: entry.id, value: entry.value, expiresAt: entry.expiresAt })
      }
      return live
    },

    async deleteListEntry(list, id, now) {
      const key = listEntryKey(list, id)
      const live = readListEntry(key, now) !== undefined
      forget(key)
      return live
    },

    async addCounters(updates) {
      checkCounterUpdates('memoryStore', updates)
      for (const { key, fields, ttlMs } of updates) {
        if (Object.keys(fields).length === 0) continue
        const storeKey = counterKey(key)
        let counters = read(storeKey)
        if (counters?.kind !== 'counters') {
          counters = { kind: 'counters', fields: {}, forgetAt: clock() + ttlMs }
          write(storeKey, counters)
        }
        for (const [field, amount] of Object.entries(fields)) {
          counters.fields[field] = (counters.fields[field] ?? 0) + amount
        }
      }
    },

    async readCounters(keys) {
      return keys.map((key) => {
        const entry = read(counterKey(key))
        return entry?.kind === 'counters' ? { ...entry.fields } : {}
      })
    },
  }
}
