/**
 * A verification's first steps: the record, the verify limit (whose window depends on the record)
 * and the attempt. A store with `limitedAttempt` takes them as one atomic step — one round trip to
 * Redis instead of three; for a store without it, the same answers come from `getPin`, `hit` and
 * `consumeAttempt` one after another.
 */
import type { AttemptLimit, LimitedAttemptResult, PinRecord, TwoFactorStore } from '../stores/types.js'

/** The window `limit` names for `record`. */
function attemptLimitKey(limit: AttemptLimit, record: Pick<PinRecord, 'testNumber' | 'phoneNumber'>): string {
  return record.testNumber ? `${limit.testNumberKeyPrefix}${record.phoneNumber}` : limit.key
}

export async function takeLimitedAttempt(
  store: TwoFactorStore,
  pinId: string,
  now: number,
  options: { singleUse: boolean; limit: AttemptLimit },
): Promise<LimitedAttemptResult> {
  if (store.limitedAttempt) return store.limitedAttempt(pinId, now, options)
  const { singleUse, limit } = options
  // Read only to learn the limit's window; the decision about the attempt is consumeAttempt's.
  const record = await store.getPin(pinId)
  if (!record) return { found: false }
  const hit = await store.hit(attemptLimitKey(limit, record), limit.limit, limit.windowMs, now)
  if (!hit.allowed) return { found: true, record, hit, attempt: undefined }
  return { found: true, record, hit, attempt: await store.consumeAttempt(pinId, now, { singleUse }) }
}
