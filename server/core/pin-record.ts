/**
 * The PIN record's rules, written once: when a record can still be used, what status it shows, and
 * how taking an attempt, marking it verified and patching it change it. Pure functions over a
 * record the caller owns; the memory store and the Durable Object apply them inside their own atomic
 * step, and the Redis store's Lua scripts mirror them (one conformance suite holds all three to the
 * same answers).
 */
import { TwoFactorError } from './errors.js'
import type { ConsumeAttemptResult, PinPatch, PinRecord } from '../stores/types.js'

/** Why a record can't take a verification (or a resend) any more. */
export type PinUnusableReason = 'NOT_FOUND' | 'EXPIRED' | 'ALREADY_VERIFIED' | 'NO_MORE_ATTEMPTS'

/** What a client sees of a PIN: delivery progress until it is verified, expired or locked. */
export type PinStatus = 'PENDING' | 'SENT' | 'DELIVERED' | 'FAILED' | 'VERIFIED' | 'EXPIRED' | 'LOCKED'

/** The fields `applyPinPatch` may set; everything else is fixed when the record is created. */
export const PATCHABLE_PIN_FIELDS = [
  'deliveryStatus',
  'resendAvailableAt',
  'lifecycle',
  'attemptsRemaining',
  'provider',
] as const

/**
 * Why `record` can't be used at `now`, or undefined when it can. The order is part of the contract:
 * a used PIN says "already verified" even after it expired, and an expired one says "expired" even
 * when its attempts ran out.
 */
export function unusableReason(
  record: PinRecord | null | undefined,
  now: number,
  singleUse: boolean,
): PinUnusableReason | undefined {
  if (!record) return 'NOT_FOUND'
  if (record.lifecycle === 'VERIFIED' && singleUse) return 'ALREADY_VERIFIED'
  if (now >= record.expiresAt) return 'EXPIRED'
  if (record.lifecycle === 'LOCKED' || record.attemptsRemaining <= 0) return 'NO_MORE_ATTEMPTS'
  return undefined
}

/** Throws the refusal for a record that can't be used at `now` (see `unusableReason`). */
export function assertPinUsable(
  record: PinRecord | null | undefined,
  now: number,
  singleUse: boolean,
): asserts record is PinRecord {
  const reason = unusableReason(record, now, singleUse)
  if (reason) throw pinUnusable(reason)
}

/**
 * The race gate's decision, applied to `record` in place. Returns the outcome and whether the record
 * changed (so a store knows whether to write it back).
 * - An expired record loses its `pinMac`, so nothing verifiable outlives it.
 * - Out of attempts is refused and leaves the record alone: the request that took the last attempt
 *   may hold the right PIN and has yet to mark it verified; locking here would fail every one of
 *   several concurrent right answers. A wrong last guess is locked by the verify path.
 */
export function takeAttempt(
  record: PinRecord | null | undefined,
  now: number,
  singleUse: boolean,
): { result: ConsumeAttemptResult; changed: boolean } {
  const reason = unusableReason(record, now, singleUse)
  if (reason === 'EXPIRED' && record!.pinMac !== '') {
    record!.pinMac = ''
    return { result: { ok: false, reason }, changed: true }
  }
  if (reason) return { result: { ok: false, reason }, changed: false }
  record!.attemptsRemaining -= 1
  return { result: { ok: true, record: record! }, changed: true }
}

/**
 * Marks an ACTIVE (or, with `singleUse: false`, VERIFIED), unexpired record that still has its MAC
 * as VERIFIED, in place. False when another request won the race, or it was locked or expired.
 */
export function markRecordVerified(
  record: PinRecord | null | undefined,
  now: number,
  singleUse: boolean,
): boolean {
  if (!record || now >= record.expiresAt || !record.pinMac) return false
  if (record.lifecycle === 'LOCKED') return false
  if (record.lifecycle === 'VERIFIED' && singleUse) return false
  record.lifecycle = 'VERIFIED'
  record.verifiedAt = now
  if (singleUse) record.pinMac = ''
  return true
}

/**
 * Applies `patch` in place: only the patchable fields, and only those given (`{ deliveryStatus:
 * undefined }` changes nothing). Locking drops the MAC; a message id is appended, not replaced.
 */
export function applyPinPatch(record: PinRecord, patch: PinPatch): void {
  const fields = record as unknown as Record<string, unknown>
  for (const field of PATCHABLE_PIN_FIELDS) if (patch[field] !== undefined) fields[field] = patch[field]
  if (patch.lifecycle === 'LOCKED') record.pinMac = ''
  if (patch.addMessageId) record.messageIds.push(patch.addMessageId)
}

export function pinStatus(record: PinRecord, now: number): PinStatus {
  if (record.lifecycle === 'VERIFIED') return 'VERIFIED'
  if (now >= record.expiresAt) return 'EXPIRED'
  if (record.lifecycle === 'LOCKED') return record.deliveryStatus === 'FAILED' ? 'FAILED' : 'LOCKED'
  switch (record.deliveryStatus) {
    case 'PENDING':
      return 'PENDING'
    case 'ACCEPTED':
    case 'SENT':
      return 'SENT'
    case 'DELIVERED':
      return 'DELIVERED'
    default:
      return 'FAILED'
  }
}

/**
 * The refusal for a PIN that can't be used, the same whatever the reason: a pinId reaches more
 * hands than the widget's (provider references, logs), and the answer must not tell them whether it
 * expired, was used or was locked. The reason stays in the caller's hands for logs and events.
 */
export function pinUnusable(_reason: PinUnusableReason): TwoFactorError {
  return new TwoFactorError('PIN_NOT_FOUND', "This code can't be used any more. Ask for a new one.")
}
