/**
 * The store interface. Every operation is atomic on its own, and every decision that guards money or
 * a secret — taking an attempt, the single use, the send quotas — is one such operation, never a
 * read followed by a write. Two writes do follow a read, where a race can't hurt: locking a record
 * whose last attempt was just used on a wrong PIN (nothing can verify it any more), and a delivery
 * report's status (two racing reports can at worst leave the earlier status). The record's rules are
 * in `core/pin-record.ts`. Memory, Redis and Durable Object stores all pass one conformance suite
 * (`test/stores/conformance.ts`).
 *
 * Times are Unix milliseconds passed in by the caller (`now`), so one clock (a fake one in tests)
 * governs validity; a store may also expire keys by its own clock, using `retainUntil`, for cleanup.
 */

/** Where a PIN is in its life. `EXPIRED` is never stored: it is derived from `expiresAt`. */
export type PinLifecycle = 'ACTIVE' | 'VERIFIED' | 'LOCKED'

/** One vocabulary for delivery, whatever the provider calls it. */
export type DeliveryStatus =
  'PENDING' | 'ACCEPTED' | 'SENT' | 'DELIVERED' | 'UNDELIVERABLE' | 'EXPIRED' | 'REJECTED' | 'FAILED'

export interface PinRecord {
  pinId: string
  /** E.164, with `+`. */
  phoneNumber: string
  /** base64url HMAC-SHA-256(server secret, pinId ‖ PIN). The PIN itself is never stored. */
  pinMac: string
  /** A test number's fixed PIN is not derivable from the pinId; resend then sends nothing. */
  testNumber: boolean
  createdAt: number
  /** The PIN is accepted until this instant (exclusive). */
  expiresAt: number
  /** The store may forget the record after this instant (it keeps it a while past `expiresAt` to say "expired"). */
  retainUntil: number
  /** Evaluations left. Created together with the record, so no path can find a missing counter. */
  attemptsRemaining: number
  lifecycle: PinLifecycle
  deliveryStatus: DeliveryStatus
  /** Provider message ids of every SMS sent for this PIN, for delivery reports. */
  messageIds: string[]
  resendAvailableAt: number
  verifiedAt?: number
  /** The language the SMS was written in, so a resend uses the same text. */
  language?: string
  /**
   * The mobile network the lookup named (`mccmnc`, or the network's name), so a verification counts
   * for the network its send was counted against. Written once, with the record.
   */
  network?: string
  /**
   * The pumping breaker's counters this PIN's send was counted under (core/policy.ts), so that its
   * verification counts under the same ones. Written once, with the record.
   */
  countedIn?: string[]
  /** The provider that took the PIN's latest SMS, for the statistics and the verification index. */
  provider?: string
  /**
   * The number's ISO country, as the send found it: what the verification's events and statistics
   * name, without parsing the number again. Absent for a number of no country, and in records of
   * older versions (those are parsed). Written once, with the record.
   */
  country?: string
  /** The number masked for answers and events (`+385 •• ••• ••67`); written once, like `country`. */
  masked?: string
}

export type ConsumeAttemptResult =
  | { ok: true; record: PinRecord }
  | { ok: false; reason: 'NOT_FOUND' | 'EXPIRED' | 'ALREADY_VERIFIED' | 'NO_MORE_ATTEMPTS' }

/** The rate limit a `limitedAttempt` call takes before the attempt: `hit`'s arguments, its key by record. */
export interface AttemptLimit {
  limit: number
  windowMs: number
  /** The window's key for a record of an ordinary number. */
  key: string
  /** For a test number's record (`testNumber`), the window's key is this followed by its `phoneNumber`. */
  testNumberKeyPrefix: string
}

/**
 * What `limitedAttempt` answers: nothing for an unknown pinId; else the record as it was read (what
 * `getPin` answered: before the attempt), the limit's hit, and — when the hit was allowed — the
 * attempt, as `consumeAttempt` answers it.
 */
export type LimitedAttemptResult =
  | { found: false }
  | { found: true; record: PinRecord; hit: RateLimitHit; attempt: ConsumeAttemptResult | undefined }

/** One window of a `hitAll` call: `hit`'s arguments. */
export interface HitRequest {
  key: string
  limit: number
  windowMs: number
  /** @default 1 */
  cost?: number
}

/** What `hitAll` answers: every hit taken, or the first refused one (and nothing taken). */
export type HitAllResult =
  { allowed: true; hits: RateLimitHit[] } | { allowed: false; refused: number; hit: RateLimitHit }

export interface RateLimitHit {
  /** Whether this hit was within the limit. */
  allowed: boolean
  /** Hits counted in the current window, this one included. */
  count: number
  /** When the current window ends (Unix ms). */
  resetAt: number
}

/** One entry of a named list (the pumping breaker's blocks, the allow-list), as `listEntries` gives it. */
export interface ListEntry {
  id: string
  /** What the core wrote: a small JSON document the store never looks into. */
  value: string
  /** When the store forgets the entry (Unix ms, the caller's clock), or null for never. */
  expiresAt: number | null
}

/** Additions to the counters of one key (a statistics bucket), as `addCounters` takes them. */
export interface CounterUpdate {
  key: string
  /** Field → amount to add (negative amounts subtract; a field is never removed). */
  fields: Record<string, number>
  /** How long the key is kept, from its first addition (a later addition does not extend it). */
  ttlMs: number
}

/** Fields of a PIN record that may change after creation. */
export type PinPatch = Partial<
  Pick<PinRecord, 'deliveryStatus' | 'resendAvailableAt' | 'lifecycle' | 'attemptsRemaining' | 'provider'>
> & {
  /** Appended to `messageIds`, not replacing it. */
  addMessageId?: string
}

export interface TwoFactorStore {
  /**
   * True for a store that several processes or isolates share (Redis, Durable Objects): they must
   * then share the secret and the signing key too, so `twoFactor()` refuses to make its own.
   */
  readonly shared?: boolean

  /** Stores a new record; the attempt budget is part of it from the first instant. */
  createPin(record: PinRecord): Promise<void>

  /** The record as it is, or null if unknown or forgotten. Never used to decide and then write. */
  getPin(pinId: string): Promise<PinRecord | null>

  /**
   * The race gate of verification. In one atomic step: refuse if the record is unknown, expired
   * (`now >= expiresAt`), verified (and `singleUse`) or out of attempts; otherwise take one attempt
   * and return the record as it is after the decrement. An expired record loses its `pinMac` on
   * the way, so nothing verifiable outlives it; an exhausted one is refused unchanged — the request
   * that took the last attempt either verifies it or, with a wrong PIN, the flow locks it.
   */
  consumeAttempt(pinId: string, now: number, options: { singleUse: boolean }): Promise<ConsumeAttemptResult>

  /**
   * Optional: a verification's first steps as one atomic step — `getPin`; for a known record, `hit`
   * on the window `limit` names for it (cost 1); when that hit is allowed, `consumeAttempt`. A store
   * without it is served by those three calls one after another (core/limited-attempt.ts), with the
   * same answers; with it, they cost Redis one round trip, not three.
   */
  limitedAttempt?(
    pinId: string,
    now: number,
    options: { singleUse: boolean; limit: AttemptLimit },
  ): Promise<LimitedAttemptResult>

  /**
   * Atomically marks an ACTIVE, unexpired record VERIFIED. Returns false when it was not ACTIVE any
   * more (another request won the race, or it was locked) or has expired. With `singleUse: false` a
   * VERIFIED record may be verified again while it is valid.
   */
  markVerified(pinId: string, now: number, options: { singleUse: boolean }): Promise<boolean>

  /**
   * Applies `patch` to an existing record in one step (delivery status, resend time, lock).
   * Locking (`lifecycle: 'LOCKED'`) also drops `pinMac`. Returns the updated record, or null if unknown.
   */
  updatePin(pinId: string, patch: PinPatch): Promise<PinRecord | null>

  /** Finds the pinId that a provider message id belongs to (for delivery reports). */
  findPinIdByMessageId(messageId: string): Promise<string | null>

  /**
   * Counts one hit against `key` in a fixed window of `windowMs` that starts at the key's first hit.
   * Atomic: of N concurrent hits on a fresh key, exactly `limit` are allowed.
   * `cost` 0 reads without counting; a negative cost gives hits back (never below zero).
   */
  hit(key: string, limit: number, windowMs: number, now: number, cost?: number): Promise<RateLimitHit>

  /**
   * Optional: counts every hit of `hits` in order, each as `hit` would, as one atomic step. When one
   * is refused, every hit of the call (the refused one too) is given back, and the answer names
   * the refused one's index and hit. A store without it is served by `hit` calls one by one
   * (core/hits.ts), with the same answers; with it, a send's quotas cost one round trip, not four.
   */
  hitAll?(hits: readonly HitRequest[], now: number): Promise<HitAllResult>

  /** Caches a small string value (a number-lookup answer) until `now + ttlMs`. */
  setCached(key: string, value: string, ttlMs: number, now: number): Promise<void>

  /** The cached value, or null when absent or past its time. */
  getCached(key: string, now: number): Promise<string | null>

  /**
   * Writes (or replaces) the entry `id` of the list `list`. The list is small and listable: blocks
   * and allow-list entries, never one entry per request. An entry past `expiresAt` is gone for
   * every read (`expiresAt` null: kept until deleted).
   */
  putListEntry(list: string, id: string, value: string, expiresAt: number | null, now: number): Promise<void>

  /** The values of the entries `ids` of `list`, in that order, null for each absent or expired one. */
  getListEntries(list: string, ids: readonly string[], now: number): Promise<(string | null)[]>

  /** Every live entry of `list`, in no particular order. */
  listEntries(list: string, now: number): Promise<ListEntry[]>

  /** Deletes the entry `id` of `list`; true when it was there (and live). */
  deleteListEntry(list: string, id: string, now: number): Promise<boolean>

  /**
   * Adds to the counters of several keys. Each key's additions are atomic (no addition is lost to a
   * concurrent one); keys are independent of each other. A key is created on its first addition
   * and forgotten `ttlMs` later.
   */
  addCounters(updates: readonly CounterUpdate[], now: number): Promise<void>

  /** The counters of each key, in order: field → value, `{}` for a key that is absent or forgotten. */
  readCounters(keys: readonly string[], now: number): Promise<Record<string, number>[]>
}
