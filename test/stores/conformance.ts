/**
 * The store conformance suite: what every `TwoFactorStore` must do, run against each one
 * (`testStore('redis', setupRedis)`): the same semantics and the same concurrency guarantees on every
 * backend. It imports vitest, the store interface and core's takeHits only (Web APIs), so it runs
 * under Node and inside workerd alike. `setup` runs before every test and `close` after it; each test uses fresh pinIds and keys,
 * so a store may share a backend between tests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { takeHits } from '../../server/core/hits.js'
import { takeLimitedAttempt } from '../../server/core/limited-attempt.js'
import type {
  AttemptLimit,
  CounterUpdate,
  ListEntry,
  PinRecord,
  TwoFactorStore,
} from '../../server/stores/types.js'

export interface ConformanceHarness {
  store: TwoFactorStore
  /** Ends what `setup` started for one test. */
  close(): Promise<void>
  /**
   * How many entries the store holds for the rate-limit window of `key` (a store may count all it
   * holds, when a test's key is the only one it touched): what a give-back must leave behind.
   */
  storedFor(key: string): Promise<number>
}

const MINUTE = 60_000

/** A fresh ACTIVE record valid for 10 minutes from `now`, kept an hour longer. */
export function makePinRecord(now: number, overrides: Partial<PinRecord> = {}): PinRecord {
  return {
    pinId: `pin-${crypto.randomUUID()}`,
    phoneNumber: '+385911234567',
    pinMac: 'q0F2a3LmZ8nS5y1Vt7cXbW4uR9eP6oJ0hGkDiE3fA2s',
    testNumber: false,
    createdAt: now,
    expiresAt: now + 10 * MINUTE,
    retainUntil: now + 70 * MINUTE,
    attemptsRemaining: 3,
    lifecycle: 'ACTIVE',
    deliveryStatus: 'PENDING',
    messageIds: [],
    resendAvailableAt: now + 30_000,
    ...overrides,
  }
}

const uniqueKey = (label: string) => `${label}:${crypto.randomUUID()}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

export function testStore(name: string, setup: () => Promise<ConformanceHarness>): void {
  describe(`${name} store conformance`, () => {
    let harness: ConformanceHarness
    let store: TwoFactorStore
    let now: number

    beforeEach(async () => {
      harness = await setup()
      store = harness.store
      now = Date.now()
    })
    afterEach(async () => {
      await harness.close()
    })

    async function createdPin(overrides: Partial<PinRecord> = {}): Promise<PinRecord> {
      const record = makePinRecord(now, overrides)
      await store.createPin(record)
      return record
    }

    describe('createPin / getPin', () => {
      it('stores a record and gives it back as it was', async () => {
        const record = await createdPin({ language: 'hr', testNumber: true })
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
      })

      it('leaves optional fields absent when they were absent', async () => {
        const record = await createdPin()
        const stored = await store.getPin(record.pinId)
        expect(stored).toStrictEqual(record)
        expect(stored).not.toHaveProperty('language')
        expect(stored).not.toHaveProperty('verifiedAt')
        expect(stored).not.toHaveProperty('network')
        expect(stored).not.toHaveProperty('countedIn')
      })

      it('keeps the breaker counters a record was counted in (countedIn) through getPin, consumeAttempt and updatePin', async () => {
        const countedIn = ['cv:country:HR|0|491234', 'cv:range:385911234|0|491234']
        const record = await createdPin({ countedIn })
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
        expect(await store.consumeAttempt(record.pinId, now, { singleUse: true })).toStrictEqual({
          ok: true,
          record: { ...record, attemptsRemaining: record.attemptsRemaining - 1 },
        })
        expect(await store.updatePin(record.pinId, { deliveryStatus: 'SENT' })).toMatchObject({ countedIn })
      })

      it('keeps the network a record was created with through getPin, consumeAttempt and updatePin', async () => {
        const record = await createdPin({ network: '21910' })
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
        expect(await store.consumeAttempt(record.pinId, now, { singleUse: true })).toStrictEqual({
          ok: true,
          record: { ...record, attemptsRemaining: record.attemptsRemaining - 1 },
        })
        expect(await store.updatePin(record.pinId, { deliveryStatus: 'SENT' })).toMatchObject({
          network: '21910',
        })
      })

      it('keeps the country and the masked number a record was created with through getPin, consumeAttempt and updatePin', async () => {
        const record = await createdPin({ country: 'HR', masked: '+385 •• ••• ••67' })
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
        expect(await store.consumeAttempt(record.pinId, now, { singleUse: true })).toStrictEqual({
          ok: true,
          record: { ...record, attemptsRemaining: record.attemptsRemaining - 1 },
        })
        expect(await store.updatePin(record.pinId, { deliveryStatus: 'SENT' })).toMatchObject({
          country: 'HR',
          masked: '+385 •• ••• ••67',
        })
      })

      it('answers null for an unknown pinId', async () => {
        expect(await store.getPin(`pin-${crypto.randomUUID()}`)).toBeNull()
      })

      it('refuses a second record with the same pinId and keeps the first', async () => {
        const record = await createdPin()
        const impostor = { ...record, pinMac: 'another-mac', attemptsRemaining: 99 }
        await expect(store.createPin(impostor)).rejects.toBeInstanceOf(StoreError)
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
      })

      it('hands out copies: changing a returned or created record changes nothing stored', async () => {
        const record = await createdPin()
        const snapshot = structuredClone(record)
        record.attemptsRemaining = 99
        record.messageIds.push('leaked')
        const first = await store.getPin(record.pinId)
        expect(first).toStrictEqual(snapshot)
        first!.pinMac = 'changed'
        first!.messageIds.push('leaked')
        expect(await store.getPin(record.pinId)).toStrictEqual(snapshot)
      })

      it('links the message ids a record is created with', async () => {
        const messageId = uniqueKey('msg')
        const record = await createdPin({ messageIds: [messageId] })
        expect(await store.findPinIdByMessageId(messageId)).toBe(record.pinId)
      })
    })

    describe('consumeAttempt', () => {
      it('answers NOT_FOUND for an unknown pinId', async () => {
        const result = await store.consumeAttempt(`pin-${crypto.randomUUID()}`, now, { singleUse: true })
        expect(result).toStrictEqual({ ok: false, reason: 'NOT_FOUND' })
      })

      it('takes one attempt per call and returns the record after the decrement', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        for (const remaining of [2, 1, 0]) {
          const result = await store.consumeAttempt(record.pinId, now, { singleUse: true })
          expect(result).toStrictEqual({ ok: true, record: { ...record, attemptsRemaining: remaining } })
        }
      })

      // Running out does not lock the record: the request that took the last attempt may hold the
      // right PIN and still has to mark it verified; on a wrong PIN the flow locks it (updatePin).
      it('refuses once the attempts are spent, and leaves the record to the guess that took the last one', async () => {
        const record = await createdPin({ attemptsRemaining: 1 })
        expect((await store.consumeAttempt(record.pinId, now, { singleUse: true })).ok).toBe(true)
        const refused = await store.consumeAttempt(record.pinId, now, { singleUse: true })
        expect(refused).toStrictEqual({ ok: false, reason: 'NO_MORE_ATTEMPTS' })
        expect(await store.getPin(record.pinId)).toStrictEqual({ ...record, attemptsRemaining: 0 })
        expect(await store.markVerified(record.pinId, now, { singleUse: true })).toBe(true)
      })

      it('answers EXPIRED from expiresAt on (exclusive) and drops the MAC without taking an attempt', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        const justBefore = await store.consumeAttempt(record.pinId, record.expiresAt - 1, { singleUse: true })
        expect(justBefore.ok).toBe(true)
        const atExpiry = await store.consumeAttempt(record.pinId, record.expiresAt, { singleUse: true })
        expect(atExpiry).toStrictEqual({ ok: false, reason: 'EXPIRED' })
        const later = await store.consumeAttempt(record.pinId, record.expiresAt + MINUTE, { singleUse: true })
        expect(later).toStrictEqual({ ok: false, reason: 'EXPIRED' })
        expect(await store.getPin(record.pinId)).toMatchObject({ pinMac: '', attemptsRemaining: 2 })
      })

      it('answers ALREADY_VERIFIED for a verified single-use record without taking an attempt', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        expect(await store.markVerified(record.pinId, now, { singleUse: true })).toBe(true)
        const result = await store.consumeAttempt(record.pinId, now, { singleUse: true })
        expect(result).toStrictEqual({ ok: false, reason: 'ALREADY_VERIFIED' })
        expect(await store.getPin(record.pinId)).toMatchObject({ attemptsRemaining: 3 })
      })

      it('keeps evaluating a verified record when PINs are not single use', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        expect(await store.markVerified(record.pinId, now, { singleUse: false })).toBe(true)
        const result = await store.consumeAttempt(record.pinId, now, { singleUse: false })
        expect(result).toMatchObject({ ok: true, record: { lifecycle: 'VERIFIED', attemptsRemaining: 2 } })
        expect(result.ok && result.record.pinMac).toBe(record.pinMac)
      })

      it('refuses a locked record even with attempts left', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        await store.updatePin(record.pinId, { lifecycle: 'LOCKED' })
        const result = await store.consumeAttempt(record.pinId, now, { singleUse: true })
        expect(result).toStrictEqual({ ok: false, reason: 'NO_MORE_ATTEMPTS' })
      })

      it('refuses a record created without attempts', async () => {
        const record = await createdPin({ attemptsRemaining: 0 })
        const result = await store.consumeAttempt(record.pinId, now, { singleUse: true })
        expect(result).toStrictEqual({ ok: false, reason: 'NO_MORE_ATTEMPTS' })
        expect(await store.getPin(record.pinId)).toStrictEqual(record)
      })
    })

    // Through takeLimitedAttempt: the store's own limitedAttempt where it has one, else getPin, hit
    // and consumeAttempt one after another; both must give these answers.
    describe('limitedAttempt (record, verify limit and attempt in one step)', () => {
      const limitFor = (pinId: string, limit = 2): AttemptLimit => ({
        limit,
        windowMs: MINUTE,
        key: `verify:pin:${pinId}`,
        testNumberKeyPrefix: `verify:number:${crypto.randomUUID()}:`,
      })

      it('answers not found for an unknown pinId and takes no hit', async () => {
        const pinId = `pin-${crypto.randomUUID()}`
        const limit = limitFor(pinId)
        const taken = await takeLimitedAttempt(store, pinId, now, { singleUse: true, limit })
        expect(taken).toStrictEqual({ found: false })
        expect(await store.hit(limit.key, 2, MINUTE, now, 0)).toMatchObject({ count: 0 })
        expect(await harness.storedFor(limit.key)).toBe(0)
      })

      it('takes the hit under the pin key, then the attempt; answers the record as read and the attempt after it', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        const limit = limitFor(record.pinId)
        const first = await takeLimitedAttempt(store, record.pinId, now, { singleUse: true, limit })
        expect(first).toStrictEqual({
          found: true,
          record,
          hit: { allowed: true, count: 1, resetAt: now + MINUTE },
          attempt: { ok: true, record: { ...record, attemptsRemaining: 2 } },
        })
        const second = await takeLimitedAttempt(store, record.pinId, now, { singleUse: true, limit })
        expect(second).toStrictEqual({
          found: true,
          record: { ...record, attemptsRemaining: 2 },
          hit: { allowed: true, count: 2, resetAt: now + MINUTE },
          attempt: { ok: true, record: { ...record, attemptsRemaining: 1 } },
        })
        expect(await store.hit(limit.key, 2, MINUTE, now, 0)).toMatchObject({ count: 2 })
      })

      it('a refused hit takes no attempt', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        const limit = limitFor(record.pinId, 1)
        await takeLimitedAttempt(store, record.pinId, now, { singleUse: true, limit })
        const refused = await takeLimitedAttempt(store, record.pinId, now, { singleUse: true, limit })
        expect(refused).toStrictEqual({
          found: true,
          record: { ...record, attemptsRemaining: 2 },
          hit: { allowed: false, count: 2, resetAt: now + MINUTE },
          attempt: undefined,
        })
        expect(await store.getPin(record.pinId)).toMatchObject({ attemptsRemaining: 2 })
      })

      it("counts a test number's hits under its number, across its PINs", async () => {
        const records = [
          await createdPin({ testNumber: true, phoneNumber: '+385919999999' }),
          await createdPin({ testNumber: true, phoneNumber: '+385919999999' }),
        ]
        const limit = { ...limitFor(records[0]!.pinId), key: `verify:pin:${crypto.randomUUID()}` }
        const answers = []
        for (const { pinId } of records) {
          answers.push(await takeLimitedAttempt(store, pinId, now, { singleUse: true, limit: { ...limit } }))
        }
        expect(answers.map((answer) => answer.found && answer.hit)).toStrictEqual([
          { allowed: true, count: 1, resetAt: now + MINUTE },
          { allowed: true, count: 2, resetAt: now + MINUTE },
        ])
        const numberKey = `${limit.testNumberKeyPrefix}+385919999999`
        expect(await store.hit(numberKey, 2, MINUTE, now, 0)).toMatchObject({ count: 2 })
        expect(await store.hit(limit.key, 2, MINUTE, now, 0)).toMatchObject({ count: 0 })
      })

      it("answers the attempt's refusals as consumeAttempt does, the hit taken", async () => {
        const expired = await createdPin()
        const verified = await createdPin()
        await store.markVerified(verified.pinId, now, { singleUse: true })
        const locked = await createdPin()
        await store.updatePin(locked.pinId, { lifecycle: 'LOCKED' })
        const cases = [
          { record: expired, at: expired.expiresAt, reason: 'EXPIRED' },
          { record: verified, at: now, reason: 'ALREADY_VERIFIED' },
          { record: locked, at: now, reason: 'NO_MORE_ATTEMPTS' },
        ]
        for (const { record, at, reason } of cases) {
          const limit = limitFor(record.pinId)
          const taken = await takeLimitedAttempt(store, record.pinId, at, { singleUse: true, limit })
          expect(taken).toMatchObject({
            found: true,
            record: { pinId: record.pinId },
            hit: { allowed: true, count: 1 },
            attempt: { ok: false, reason },
          })
        }
        expect(await store.getPin(expired.pinId)).toMatchObject({ pinMac: '', attemptsRemaining: 3 })
      })
    })

    describe('markVerified', () => {
      it('verifies an ACTIVE record once when single use, and drops its MAC', async () => {
        const record = await createdPin()
        expect(await store.markVerified(record.pinId, now + 5, { singleUse: true })).toBe(true)
        expect(await store.markVerified(record.pinId, now + 6, { singleUse: true })).toBe(false)
        const stored = await store.getPin(record.pinId)
        expect(stored).toMatchObject({ lifecycle: 'VERIFIED', verifiedAt: now + 5, pinMac: '' })
      })

      it('answers false for an unknown pinId', async () => {
        expect(await store.markVerified(`pin-${crypto.randomUUID()}`, now, { singleUse: true })).toBe(false)
      })

      it('answers false once the record has expired, and leaves it unverified', async () => {
        const record = await createdPin()
        expect(await store.markVerified(record.pinId, record.expiresAt, { singleUse: true })).toBe(false)
        expect(await store.getPin(record.pinId)).toMatchObject({ lifecycle: 'ACTIVE' })
      })

      it('answers false for a locked record', async () => {
        const record = await createdPin()
        await store.updatePin(record.pinId, { lifecycle: 'LOCKED' })
        expect(await store.markVerified(record.pinId, now, { singleUse: true })).toBe(false)
        expect(await store.markVerified(record.pinId, now, { singleUse: false })).toBe(false)
      })

      it('accepts the guess that spent the last attempt', async () => {
        const record = await createdPin({ attemptsRemaining: 1 })
        expect(await store.consumeAttempt(record.pinId, now, { singleUse: true })).toMatchObject({
          ok: true,
          record: { attemptsRemaining: 0 },
        })
        expect(await store.markVerified(record.pinId, now, { singleUse: true })).toBe(true)
      })

      it('verifies again and keeps the MAC when PINs are not single use', async () => {
        const record = await createdPin()
        expect(await store.markVerified(record.pinId, now, { singleUse: false })).toBe(true)
        expect(await store.markVerified(record.pinId, now + 1, { singleUse: false })).toBe(true)
        expect(await store.getPin(record.pinId)).toMatchObject({
          lifecycle: 'VERIFIED',
          verifiedAt: now + 1,
          pinMac: record.pinMac,
        })
      })
    })

    describe('updatePin / findPinIdByMessageId', () => {
      it('applies a patch in one step and returns the updated record', async () => {
        const record = await createdPin()
        const patch = { deliveryStatus: 'DELIVERED', resendAvailableAt: now + 99_000 } as const
        const updated = await store.updatePin(record.pinId, patch)
        expect(updated).toStrictEqual({ ...record, ...patch })
        expect(await store.getPin(record.pinId)).toStrictEqual({ ...record, ...patch })
      })

      it('leaves fields that a patch sets to undefined as they were', async () => {
        const record = await createdPin({ deliveryStatus: 'SENT' })
        const updated = await store.updatePin(record.pinId, {
          deliveryStatus: undefined,
          lifecycle: undefined,
        })
        expect(updated).toStrictEqual(record)
      })

      it('sets the attempt budget when told to', async () => {
        const record = await createdPin({ attemptsRemaining: 3 })
        expect(await store.updatePin(record.pinId, { attemptsRemaining: 1 })).toMatchObject({
          attemptsRemaining: 1,
        })
        expect((await store.consumeAttempt(record.pinId, now, { singleUse: true })).ok).toBe(true)
        expect((await store.consumeAttempt(record.pinId, now, { singleUse: true })).ok).toBe(false)
      })

      it('answers null for an unknown pinId and creates nothing', async () => {
        const pinId = `pin-${crypto.randomUUID()}`
        expect(await store.updatePin(pinId, { deliveryStatus: 'SENT' })).toBeNull()
        expect(await store.getPin(pinId)).toBeNull()
      })

      it('appends message ids and finds the pin by each of them', async () => {
        const record = await createdPin()
        const [first, second] = [uniqueKey('msg'), uniqueKey('msg')]
        expect(await store.updatePin(record.pinId, { addMessageId: first })).toMatchObject({
          messageIds: [first],
        })
        const updated = await store.updatePin(record.pinId, { addMessageId: second, deliveryStatus: 'SENT' })
        expect(updated).toStrictEqual({ ...record, messageIds: [first, second], deliveryStatus: 'SENT' })
        expect(await store.findPinIdByMessageId(first)).toBe(record.pinId)
        expect(await store.findPinIdByMessageId(second)).toBe(record.pinId)
        expect(await store.findPinIdByMessageId(uniqueKey('msg'))).toBeNull()
      })

      it('keeps message ids that hold JSON and separators intact', async () => {
        const record = await createdPin()
        const awkward = `"a",b]\\n{c}:${crypto.randomUUID()}`
        expect(await store.updatePin(record.pinId, { addMessageId: awkward })).toMatchObject({
          messageIds: [awkward],
        })
        expect(await store.findPinIdByMessageId(awkward)).toBe(record.pinId)
      })

      it('drops the MAC when locking, so nothing verifiable is left', async () => {
        const record = await createdPin()
        const locked = await store.updatePin(record.pinId, { lifecycle: 'LOCKED' })
        expect(locked).toStrictEqual({ ...record, lifecycle: 'LOCKED', pinMac: '' })
        expect(await store.getPin(record.pinId)).toMatchObject({ lifecycle: 'LOCKED', pinMac: '' })
      })
    })

    describe('hit (fixed windows)', () => {
      it('allows `limit` hits in a window that starts at the first hit, then refuses', async () => {
        const key = uniqueKey('send')
        const results = []
        for (let i = 0; i < 4; i++) results.push(await store.hit(key, 3, MINUTE, now + i * 1000))
        expect(results).toStrictEqual([
          { allowed: true, count: 1, resetAt: now + MINUTE },
          { allowed: true, count: 2, resetAt: now + MINUTE },
          { allowed: true, count: 3, resetAt: now + MINUTE },
          { allowed: false, count: 4, resetAt: now + MINUTE },
        ])
      })

      it('keeps keys apart', async () => {
        const [a, b] = [uniqueKey('ip'), uniqueKey('ip')]
        await store.hit(a, 1, MINUTE, now)
        expect(await store.hit(a, 1, MINUTE, now)).toMatchObject({ allowed: false, count: 2 })
        expect(await store.hit(b, 1, MINUTE, now)).toMatchObject({ allowed: true, count: 1 })
      })

      it('reads without counting when cost is 0', async () => {
        const key = uniqueKey('verify')
        expect(await store.hit(key, 2, MINUTE, now, 0)).toStrictEqual({
          allowed: true,
          count: 0,
          resetAt: now + MINUTE,
        })
        await store.hit(key, 2, MINUTE, now)
        await store.hit(key, 2, MINUTE, now)
        expect(await store.hit(key, 2, MINUTE, now + 5, 0)).toStrictEqual({
          allowed: true,
          count: 2,
          resetAt: now + MINUTE,
        })
        expect(await store.hit(key, 2, MINUTE, now + 6)).toMatchObject({ allowed: false, count: 3 })
      })

      it('counts a cost above one as that many hits', async () => {
        const key = uniqueKey('app')
        expect(await store.hit(key, 5, MINUTE, now, 4)).toMatchObject({ allowed: true, count: 4 })
        expect(await store.hit(key, 5, MINUTE, now, 2)).toMatchObject({ allowed: false, count: 6 })
      })

      it('gives hits back with a negative cost, never below zero', async () => {
        const key = uniqueKey('prefix')
        await store.hit(key, 2, MINUTE, now)
        await store.hit(key, 2, MINUTE, now)
        expect(await store.hit(key, 2, MINUTE, now)).toMatchObject({ allowed: false, count: 3 })
        expect(await store.hit(key, 2, MINUTE, now, -1)).toMatchObject({ allowed: true, count: 2 })
        expect(await store.hit(key, 2, MINUTE, now, -5)).toMatchObject({ allowed: true, count: 0 })
        expect(await store.hit(key, 2, MINUTE, now)).toStrictEqual({
          allowed: true,
          count: 1,
          resetAt: now + MINUTE,
        })
      })

      it('does not open a window for a refund on a fresh key', async () => {
        const key = uniqueKey('refund')
        expect(await store.hit(key, 2, MINUTE, now, -1)).toMatchObject({ allowed: true, count: 0 })
        expect(await store.hit(key, 2, MINUTE, now + 1000)).toStrictEqual({
          allowed: true,
          count: 1,
          resetAt: now + 1000 + MINUTE,
        })
      })

      // A refused request gives back every hit it took; a window it opened must not outlive it, or
      // a flood of refusals (one new number each) fills the store with windows of count 0.
      it("giving back a fresh window's only hit leaves nothing stored; the next hit opens a window at its own time", async () => {
        const key = uniqueKey('cooldown')
        expect(await store.hit(key, 1, MINUTE, now)).toMatchObject({ allowed: true, count: 1 })
        expect(await harness.storedFor(key)).toBeGreaterThan(0)
        expect(await store.hit(key, 1, MINUTE, now, -1)).toMatchObject({ allowed: true, count: 0 })
        expect(await harness.storedFor(key)).toBe(0)
        expect(await store.hit(key, 1, MINUTE, now + 1000)).toStrictEqual({
          allowed: true,
          count: 1,
          resetAt: now + 1000 + MINUTE,
        })
      })

      it('giving back every hit of an older window leaves nothing stored either', async () => {
        const key = uniqueKey('number')
        await store.hit(key, 3, MINUTE, now)
        await store.hit(key, 3, MINUTE, now + 1000)
        expect(await store.hit(key, 3, MINUTE, now + 2000, -2)).toMatchObject({ count: 0 })
        expect(await harness.storedFor(key)).toBe(0)
      })

      it('a refund on a fresh key stores nothing', async () => {
        const key = uniqueKey('refund')
        await store.hit(key, 2, MINUTE, now, -1)
        await store.hit(key, 2, MINUTE, now, 0)
        expect(await harness.storedFor(key)).toBe(0)
      })

      it('a refused hit given back leaves the window as it was: same count, same end', async () => {
        const key = uniqueKey('ip')
        await store.hit(key, 1, MINUTE, now)
        expect(await store.hit(key, 1, MINUTE, now + 1000)).toMatchObject({ allowed: false, count: 2 })
        await store.hit(key, 1, MINUTE, now + 1000, -1)
        expect(await store.hit(key, 1, MINUTE, now + 2000, 0)).toStrictEqual({
          allowed: true,
          count: 1,
          resetAt: now + MINUTE,
        })
        expect(await harness.storedFor(key)).toBeGreaterThan(0)
      })

      it('starts a fresh window once the old one has ended', async () => {
        const key = uniqueKey('number')
        await store.hit(key, 1, MINUTE, now)
        expect(await store.hit(key, 1, MINUTE, now + MINUTE - 1)).toMatchObject({ allowed: false })
        expect(await store.hit(key, 1, MINUTE, now + MINUTE)).toStrictEqual({
          allowed: true,
          count: 1,
          resetAt: now + 2 * MINUTE,
        })
        expect(await store.hit(key, 1, MINUTE, now + 3 * MINUTE, 0)).toMatchObject({ count: 0 })
      })
    })

    // Through core's takeHits: a store's own hitAll (one atomic step) where it has one, else its hit
    // calls one by one with the same answers — every store must give the same.
    describe('hitAll (several windows in one step)', () => {
      const count = async (key: string, limit = 100) => (await store.hit(key, limit, MINUTE, now, 0)).count

      it('counts every hit in order and answers each as hit would', async () => {
        const [a, b] = [uniqueKey('number'), uniqueKey('ip')]
        await store.hit(b, 5, MINUTE, now - 1000)
        expect(
          await takeHits(
            store,
            [
              { key: a, limit: 2, windowMs: MINUTE },
              { key: b, limit: 5, windowMs: MINUTE },
            ],
            now,
          ),
        ).toStrictEqual({
          allowed: true,
          hits: [
            { allowed: true, count: 1, resetAt: now + MINUTE },
            { allowed: true, count: 2, resetAt: now - 1000 + MINUTE },
          ],
        })
      })

      it('a refusal gives back every hit of the call, the refused one too, and names it', async () => {
        const [a, b, c] = [uniqueKey('cooldown'), uniqueKey('number'), uniqueKey('ip')]
        await store.hit(b, 1, MINUTE, now)
        const hits = [a, b, c].map((key) => ({ key, limit: 1, windowMs: MINUTE }))
        expect(await takeHits(store, hits, now + 1000)).toStrictEqual({
          allowed: false,
          refused: 1,
          hit: { allowed: false, count: 2, resetAt: now + MINUTE },
        })
        expect([await count(a), await count(b), await count(c)]).toStrictEqual([0, 1, 0])
      })

      it('a refused call leaves nothing stored for a window it opened', async () => {
        const key = uniqueKey('spend')
        const refused = await takeHits(store, [{ key, limit: 1, windowMs: MINUTE, cost: 2 }], now)
        expect(refused).toMatchObject({ allowed: false, refused: 0 })
        expect(await harness.storedFor(key)).toBe(0)
      })

      it('counts a cost, and gives it back whole', async () => {
        const [day, country] = [uniqueKey('spend'), uniqueKey('spend')]
        const hits = [
          { key: day, limit: 10, windowMs: MINUTE, cost: 4 },
          { key: country, limit: 6, windowMs: MINUTE, cost: 4 },
        ]
        expect(await takeHits(store, hits, now)).toMatchObject({ allowed: true })
        expect(await takeHits(store, hits, now)).toMatchObject({ allowed: false, refused: 1 })
        expect([await count(day), await count(country)]).toStrictEqual([4, 4])
      })

      it('of concurrent calls, exactly as many pass as the tightest window allows, and nothing else stays counted', async () => {
        const [shared, tight] = [uniqueKey('application'), uniqueKey('number')]
        const hits = [
          { key: shared, limit: 100, windowMs: MINUTE },
          { key: tight, limit: 3, windowMs: MINUTE },
        ]
        const results = await Promise.all(Array.from({ length: 20 }, () => takeHits(store, hits, now)))
        expect(results.filter((result) => result.allowed)).toHaveLength(3)
        expect([await count(shared), await count(tight)]).toStrictEqual([3, 3])
      })
    })

    describe('setCached / getCached', () => {
      it('gives a cached value back until its time is up', async () => {
        const key = uniqueKey('lookup')
        await store.setCached(key, '{"valid":true}', MINUTE, now)
        expect(await store.getCached(key, now)).toBe('{"valid":true}')
        expect(await store.getCached(key, now + MINUTE - 1)).toBe('{"valid":true}')
        expect(await store.getCached(key, now + MINUTE)).toBeNull()
      })

      it('answers null for an absent key and overwrites a present one', async () => {
        const key = uniqueKey('lookup')
        expect(await store.getCached(key, now)).toBeNull()
        await store.setCached(key, 'first', MINUTE, now)
        await store.setCached(key, 'second', MINUTE, now)
        expect(await store.getCached(key, now)).toBe('second')
      })
    })

    describe('named lists (putListEntry / getListEntries / listEntries / deleteListEntry)', () => {
      const byId = (entries: ListEntry[]) => [...entries].sort((a, b) => (a.id < b.id ? -1 : 1))

      it('gives back the values of the ids asked for, in their order, null for each id never put', async () => {
        const list = uniqueKey('blocks')
        await store.putListEntry(list, 'a', '{"n":1}', now + MINUTE, now)
        await store.putListEntry(list, 'b', '{"n":2}', null, now)
        expect(await store.getListEntries(list, ['b', 'missing', 'a'], now)).toStrictEqual([
          '{"n":2}',
          null,
          '{"n":1}',
        ])
        expect(await store.getListEntries(list, [], now)).toStrictEqual([])
      })

      it('lists every live entry of a list with its value and expiresAt, and nothing of another list', async () => {
        const [list, other] = [uniqueKey('blocks'), uniqueKey('blocks')]
        await store.putListEntry(list, 'a', 'A', now + MINUTE, now)
        await store.putListEntry(list, 'b', 'B', null, now)
        await store.putListEntry(other, 'c', 'C', null, now)
        expect(byId(await store.listEntries(list, now))).toStrictEqual([
          { id: 'a', value: 'A', expiresAt: now + MINUTE },
          { id: 'b', value: 'B', expiresAt: null },
        ])
        expect(await store.listEntries(other, now)).toStrictEqual([{ id: 'c', value: 'C', expiresAt: null }])
      })

      it('an unknown list lists nothing and answers null for every id', async () => {
        const list = uniqueKey('allow')
        expect(await store.listEntries(list, now)).toStrictEqual([])
        expect(await store.getListEntries(list, ['x', 'y'], now)).toStrictEqual([null, null])
      })

      it('replaces an entry put again under the same id, value and expiresAt both', async () => {
        const list = uniqueKey('blocks')
        await store.putListEntry(list, 'a', 'first', now + MINUTE, now)
        await store.putListEntry(list, 'a', 'second', null, now + 1000)
        expect(await store.getListEntries(list, ['a'], now + 2 * MINUTE)).toStrictEqual(['second'])
        expect(await store.listEntries(list, now + 2 * MINUTE)).toStrictEqual([
          { id: 'a', value: 'second', expiresAt: null },
        ])
      })

      it('an entry is gone from its expiresAt on (exclusive): get answers null, list leaves it out, delete answers false', async () => {
        const list = uniqueKey('blocks')
        await store.putListEntry(list, 'a', 'A', now + MINUTE, now)
        await store.putListEntry(list, 'b', 'B', now + 2 * MINUTE, now)
        expect(await store.getListEntries(list, ['a'], now + MINUTE - 1)).toStrictEqual(['A'])
        expect(await store.listEntries(list, now + MINUTE - 1)).toHaveLength(2)
        expect(await store.getListEntries(list, ['a', 'b'], now + MINUTE)).toStrictEqual([null, 'B'])
        expect(await store.listEntries(list, now + MINUTE)).toStrictEqual([
          { id: 'b', value: 'B', expiresAt: now + 2 * MINUTE },
        ])
        expect(await store.deleteListEntry(list, 'a', now + MINUTE)).toBe(false)
        expect(await store.listEntries(list, now + 2 * MINUTE)).toStrictEqual([])
      })

      it('keeps an entry with a null expiresAt when read a year later', async () => {
        const list = uniqueKey('allow')
        const yearLater = now + 365 * 24 * 60 * MINUTE
        await store.putListEntry(list, 'a', 'A', null, now)
        expect(await store.getListEntries(list, ['a'], yearLater)).toStrictEqual(['A'])
        expect(await store.listEntries(list, yearLater)).toStrictEqual([
          { id: 'a', value: 'A', expiresAt: null },
        ])
      })

      it('putting an entry whose expiresAt has passed leaves the id absent, even where it replaces a live one', async () => {
        const list = uniqueKey('blocks')
        await store.putListEntry(list, 'a', 'live', null, now)
        await store.putListEntry(list, 'a', 'dead', now, now)
        await store.putListEntry(list, 'b', 'dead', now - 1, now)
        expect(await store.getListEntries(list, ['a', 'b'], now)).toStrictEqual([null, null])
        expect(await store.listEntries(list, now)).toStrictEqual([])
      })

      it('deletes an entry: true when it was there, false when absent, and it is gone afterwards', async () => {
        const list = uniqueKey('allow')
        await store.putListEntry(list, 'a', 'A', null, now)
        await store.putListEntry(list, 'b', 'B', null, now)
        expect(await store.deleteListEntry(list, 'a', now)).toBe(true)
        expect(await store.deleteListEntry(list, 'a', now)).toBe(false)
        expect(await store.deleteListEntry(uniqueKey('allow'), 'a', now)).toBe(false)
        expect(await store.getListEntries(list, ['a', 'b'], now)).toStrictEqual([null, 'B'])
        expect(await store.listEntries(list, now)).toStrictEqual([{ id: 'b', value: 'B', expiresAt: null }])
      })

      it('keeps ids and values that hold JSON and separators intact', async () => {
        const list = uniqueKey('blocks:|')
        const id = `+385|91:"x"\n${crypto.randomUUID()}`
        const value = '{"reason":"a|b|","note":"1|2"}'
        await store.putListEntry(list, id, value, now + MINUTE, now)
        expect(await store.getListEntries(list, [id], now)).toStrictEqual([value])
        expect(await store.listEntries(list, now)).toStrictEqual([{ id, value, expiresAt: now + MINUTE }])
        expect(await store.deleteListEntry(list, id, now)).toBe(true)
      })

      it("keeps apart two lists' entries whose list name and id split the same characters differently", async () => {
        const list = uniqueKey('blocks')
        await store.putListEntry(`${list}:a`, 'b', 'first', null, now)
        await store.putListEntry(list, 'a:b', 'second', null, now)
        expect(await store.getListEntries(`${list}:a`, ['b'], now)).toStrictEqual(['first'])
        expect(await store.getListEntries(list, ['a:b'], now)).toStrictEqual(['second'])
        expect(await store.listEntries(`${list}:a`, now)).toStrictEqual([
          { id: 'b', value: 'first', expiresAt: null },
        ])
      })
    })

    describe('counters (addCounters / readCounters)', () => {
      it('adds to several fields of several keys and reads each key back, in the order asked', async () => {
        const [a, b] = [uniqueKey('stats'), uniqueKey('stats')]
        await store.addCounters(
          [
            { key: a, fields: { sent: 1, verified: 2 }, ttlMs: MINUTE },
            { key: b, fields: { sent: 5 }, ttlMs: MINUTE },
          ],
          now,
        )
        await store.addCounters([{ key: a, fields: { sent: 3 }, ttlMs: MINUTE }], now)
        expect(await store.readCounters([b, a], now)).toStrictEqual([{ sent: 5 }, { sent: 4, verified: 2 }])
      })

      it('adds up two updates of one key in one call', async () => {
        const key = uniqueKey('stats')
        await store.addCounters(
          [
            { key, fields: { sent: 1 }, ttlMs: MINUTE },
            { key, fields: { sent: 2, failed: 1 }, ttlMs: MINUTE },
          ],
          now,
        )
        expect(await store.readCounters([key], now)).toStrictEqual([{ sent: 3, failed: 1 }])
      })

      it('subtracts negative amounts below zero and keeps a field that comes back to zero', async () => {
        const key = uniqueKey('stats')
        await store.addCounters([{ key, fields: { sent: 2 }, ttlMs: MINUTE }], now)
        await store.addCounters([{ key, fields: { sent: -2, verified: -3 }, ttlMs: MINUTE }], now)
        expect(await store.readCounters([key], now)).toStrictEqual([{ sent: 0, verified: -3 }])
      })

      it('reads {} for a key never added to and [] for no keys; adding nothing is accepted', async () => {
        expect(await store.readCounters([uniqueKey('stats')], now)).toStrictEqual([{}])
        expect(await store.readCounters([], now)).toStrictEqual([])
        await store.addCounters([], now)
      })

      it('refuses a non-integer amount with a TypeError and adds nothing of that call', async () => {
        const [a, b] = [uniqueKey('stats'), uniqueKey('stats')]
        for (const amount of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          const updates = [
            { key: a, fields: { sent: 1 }, ttlMs: MINUTE },
            { key: b, fields: { sent: amount }, ttlMs: MINUTE },
          ]
          await expect(store.addCounters(updates, now)).rejects.toBeInstanceOf(TypeError)
        }
        expect(await store.readCounters([a, b], now)).toStrictEqual([{}, {}])
      })

      // Counters expire on the store's own clock (they are statistics, not a decision), so this test
      // waits in real time: 600 ms of retention, a second addition at 300 ms, a read at 650 ms.
      it('forgets a key ttlMs after its first addition: an addition in between does not extend it', async () => {
        const key = uniqueKey('stats')
        const ttlMs = 600
        await store.addCounters([{ key, fields: { sent: 1 }, ttlMs }], now)
        const firstAddedBy = Date.now()
        await sleep(300)
        await store.addCounters([{ key, fields: { sent: 1 }, ttlMs }], now)
        expect(await store.readCounters([key], now)).toStrictEqual([{ sent: 2 }])
        await sleep(firstAddedBy + ttlMs + 50 - Date.now())
        expect(await store.readCounters([key], now)).toStrictEqual([{}])
      })
    })

    // The security invariants: each check-and-act holds when many requests race for one record.
    describe('under concurrency', () => {
      it('200 concurrent attempts on one PIN with a budget of 5 → exactly 5 evaluated', async () => {
        const record = await createdPin({ attemptsRemaining: 5 })
        const results = await Promise.all(
          Array.from({ length: 200 }, () => store.consumeAttempt(record.pinId, now, { singleUse: true })),
        )
        const evaluated = results.filter((result) => result.ok)
        expect(evaluated).toHaveLength(5)
        const remaining = evaluated.map((result) => (result.ok ? result.record.attemptsRemaining : -1))
        expect(remaining.sort()).toStrictEqual([0, 1, 2, 3, 4])
        expect(results.filter((result) => !result.ok && result.reason === 'NO_MORE_ATTEMPTS')).toHaveLength(
          195,
        )
        expect(await store.getPin(record.pinId)).toMatchObject({ attemptsRemaining: 0 })
      })

      it('200 concurrent limited attempts on one PIN, limit 7 and a budget of 5 → 7 hits allowed, exactly 5 evaluated', async () => {
        const record = await createdPin({ attemptsRemaining: 5 })
        const limit: AttemptLimit = {
          limit: 7,
          windowMs: MINUTE,
          key: uniqueKey('verify:pin'),
          testNumberKeyPrefix: uniqueKey('verify:number'),
        }
        const results = await Promise.all(
          Array.from({ length: 200 }, () =>
            takeLimitedAttempt(store, record.pinId, now, { singleUse: true, limit }),
          ),
        )
        const hits = results.map((result) => (result.found ? result.hit : undefined))
        expect(hits.filter((hit) => hit?.allowed)).toHaveLength(7)
        const attempts = results.map((result) => (result.found ? result.attempt : undefined))
        expect(attempts.filter((attempt) => attempt?.ok)).toHaveLength(5)
        expect(attempts.filter((attempt) => attempt && !attempt.ok)).toHaveLength(2)
        expect(await store.getPin(record.pinId)).toMatchObject({ attemptsRemaining: 0 })
      })

      it('20 concurrent markVerified on one PIN → exactly one wins', async () => {
        const record = await createdPin()
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.markVerified(record.pinId, now, { singleUse: true })),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
      })

      it('20 concurrent right guesses (attempt, then mark verified) with a budget of 5 → exactly one verifies', async () => {
        const record = await createdPin({ attemptsRemaining: 5 })
        const guess = async () => {
          const attempt = await store.consumeAttempt(record.pinId, now, { singleUse: true })
          return attempt.ok && (await store.markVerified(record.pinId, now, { singleUse: true }))
        }
        const verified = await Promise.all(Array.from({ length: 20 }, guess))
        expect(verified.filter(Boolean)).toHaveLength(1)
      })

      it('200 concurrent hits on a fresh key with a limit of 7 → exactly 7 allowed', async () => {
        const key = uniqueKey('burst')
        const results = await Promise.all(Array.from({ length: 200 }, () => store.hit(key, 7, MINUTE, now)))
        expect(results.filter((result) => result.allowed)).toHaveLength(7)
        expect(results.map((result) => result.count).sort((a, b) => a - b)).toStrictEqual(
          Array.from({ length: 200 }, (_, i) => i + 1),
        )
        expect(await store.hit(key, 7, MINUTE, now, 0)).toMatchObject({ count: 200, allowed: false })
      })

      it('50 concurrent addCounters on two keys (1 and 2 to one field, -1 to another) lose no addition', async () => {
        const [a, b] = [uniqueKey('stats'), uniqueKey('stats')]
        const updates: CounterUpdate[] = [
          { key: a, fields: { sent: 1 }, ttlMs: MINUTE },
          { key: b, fields: { sent: 2, pending: -1 }, ttlMs: MINUTE },
        ]
        await Promise.all(Array.from({ length: 50 }, () => store.addCounters(updates, now)))
        expect(await store.readCounters([a, b], now)).toStrictEqual([
          { sent: 50 },
          { sent: 100, pending: -50 },
        ])
      })

      it('200 concurrent refused requests (hit, then give back) on a fresh key → nothing stored afterwards', async () => {
        const key = uniqueKey('flood')
        const refusedRequest = async () => {
          await store.hit(key, 7, MINUTE, now)
          await store.hit(key, 7, MINUTE, now, -1)
        }
        await Promise.all(Array.from({ length: 200 }, refusedRequest))
        expect(await store.hit(key, 7, MINUTE, now, 0)).toMatchObject({ count: 0 })
        expect(await harness.storedFor(key)).toBe(0)
      })
    })
  })
}
