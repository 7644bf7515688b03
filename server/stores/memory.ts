/**
 * The embedded default store: one process, no dependencies. Every operation runs synchronously
 * between awaits, which is what makes it atomic in a single JavaScript thread.
 *
 * Bounded: at `maxEntries` it first forgets what has outlived its retention, and if that is not
 * enough it refuses new keys with a StoreError (503) rather than evicting live ones, because an
 * evicted rate-limit counter or PIN record would hand an attacker a fresh budget.
 */
import { StoreError } from '../core/errors.js'
import { applyPinPatch, markRecordVerified, takeAttempt } from '../core/pin-record.js'
import type { ConsumeAttemptResult, PinPatch, PinRecord, RateLimitHit, TwoFactorStore } from './types.js'

export interface MemoryStoreOptions {
  /**
   * Most keys held at once (PIN records, message-id links and rate-limit windows together).
   * @default 100000
   */
  maxEntries?: number
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

const SWEEP_INTERVAL_MS = 30_000

export function memoryStore(options: MemoryStoreOptions = {}): TwoFactorStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 100_000
  const clock = options.clock ?? Date.now
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(`memoryStore: "maxEntries" must be a positive integer, got ${String(maxEntries)}`)
  }
  const entries = new Map<string, Entry>()
  let lastSweep = clock()

  function sweep(force = false): void {
    const now = clock()
    if (!force && now - lastSweep < SWEEP_INTERVAL_MS) return
    lastSweep = now
    for (const [key, entry] of entries) if (entry.forgetAt <= now) entries.delete(key)
  }

  function read(key: string): Entry | undefined {
    const entry = entries.get(key)
    if (entry && entry.forgetAt <= clock()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  function write(key: string, entry: Entry): void {
    sweep()
    if (!entries.has(key) && entries.size >= maxEntries) {
      sweep(true)
      if (entries.size >= maxEntries) throw new StoreError(`memory store is full (${maxEntries} entries)`)
    }
    entries.set(key, entry)
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
        if (cost <= 0) return { allowed: true, count: 0, resetAt: now + windowMs }
        window = { kind: 'window', count: 0, resetAt: now + windowMs, forgetAt: clock() + windowMs }
        write(storeKey, window)
      }
      window.count = Math.max(0, window.count + cost)
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
