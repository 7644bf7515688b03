/**
 * The embedded default store: one process, no dependencies. Every operation runs synchronously
 * between awaits, which is what makes it atomic in a single JavaScript thread.
 *
 * Bounded, and a flood can't push PINs out. A rate-limit window given back to zero is deleted at
 * once, so a refused request leaves nothing new. Windows and cached lookups together may hold at most
 * `maxEntries - reservedForPins` entries; PIN records and their message links may use the rest, the
 * reserve included. When a new key finds no room, the store forgets what has outlived its retention,
 * then the oldest cached lookups (a cache: dropping one costs a lookup, never a budget), and if that
 * is not enough it refuses the new key with a StoreError (503). It never evicts a live window (that
 * would hand an attacker a fresh budget) nor a PIN record or its links.
 */
import { StoreError } from '../core/errors.js'
import { applyPinPatch, markRecordVerified, takeAttempt } from '../core/pin-record.js'
import type { ConsumeAttemptResult, PinPatch, PinRecord, RateLimitHit, TwoFactorStore } from './types.js'

export interface MemoryStoreOptions {
  /**
   * Most keys held at once (PIN records, message-id links, rate-limit windows and cached lookups).
   * @default 100000
   */
  maxEntries?: number
  /**
   * Entries that rate-limit windows and cached lookups may never take, kept for PIN records and
   * their message links (2 per PIN with one SMS). Windows outlive PINs (a number's window lasts a
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

/** Windows and cached lookups: what a flood of requests could multiply, and what may not take the reserve. */
const isLimiterState = (entry: Entry) => entry.kind === 'window' || entry.kind === 'cached'

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
  // No entry is forgotten before this instant: a full store doesn't scan itself on every request.
  let nextForgetAt = Infinity
  let lastSweep = clock()

  function put(key: string, entry: Entry): void {
    const previous = entries.get(key)
    if (previous) forget(key)
    entries.set(key, entry)
    if (isLimiterState(entry)) limiterEntries++
    if (entry.kind === 'cached') cachedKeys.add(key)
    nextForgetAt = Math.min(nextForgetAt, entry.forgetAt)
  }

  function forget(key: string): void {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    if (isLimiterState(entry)) limiterEntries--
    cachedKeys.delete(key)
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
        ? `rate-limit windows and cached lookups (${limiterCapacity} of ${maxEntries} entries; the rest is kept for PINs)`
        : `${maxEntries} entries`
      throw new StoreError(`memory store is full: ${what}`)
    }
  }

  function write(key: string, entry: Entry): void {
    sweep()
    if (!entries.has(key)) makeRoomFor(entry)
    put(key, entry)
  }

  const pinKey = (pinId: string) => `pin:${pinId}`
  const linkKey = (messageId: string) => `msg:${messageId}`
  const readPin = (pinId: string) => {
    const entry = read(pinKey(pinId))
    return entry?.kind === 'pin' ? entry : undefined
  }
  // Callers get copies: a record handed out must not change under them, nor they under us.
  const copy = (record: PinRecord): PinRecord => ({ ...record, messageIds: [...record.messageIds] })

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
    },

    async setCached(key, value, ttlMs, now) {
      write(`cache:${key}`, { kind: 'cached', value, validUntil: now + ttlMs, forgetAt: clock() + ttlMs })
    },

    async getCached(key, now) {
      const entry = read(`cache:${key}`)
      return entry?.kind === 'cached' && entry.validUntil > now ? entry.value : null
    },
  }
}
