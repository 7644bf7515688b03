/**
 * A number's recent verifications, for the operator's console (like Infobip's verification list):
 * one named list per number, `verifications:<E.164>`, one entry per PIN (id = pinId), kept 7 days
 * from the PIN's creation. The entry is rewritten from the PIN record at each step (send, resend,
 * delivery report, wrong PIN or lock, verify), so the record stays the one source of truth; the
 * list only lets the console find a number's PINs. Writing it never fails a request.
 */
import type { Logger } from './log.js'
import type { PinRecord, TwoFactorStore } from '../stores/types.js'

export const VERIFICATION_LOG_TTL_MS = 7 * 86_400_000

export const verificationListName = (e164: string) => `verifications:${e164}`

export interface VerificationEntry {
  pinId: string
  /** Unix ms. */
  createdAt: number
  expiresAt: number
  /** `FAILED`: no SMS could be sent; `LOCKED`: its attempts ran out on wrong PINs. */
  status: 'PENDING' | 'VERIFIED' | 'LOCKED' | 'FAILED'
  deliveryStatus: PinRecord['deliveryStatus']
  attemptsUsed: number
  resends: number
  /** The provider that took the latest SMS; null before any did (or for a test number). */
  provider: string | null
  country: string | null
  verifiedAt?: number
}

export function verificationEntry(
  record: PinRecord,
  pinAttempts: number,
  country: string | null,
): VerificationEntry {
  const status =
    record.lifecycle === 'VERIFIED'
      ? 'VERIFIED'
      : record.lifecycle === 'LOCKED'
        ? record.deliveryStatus === 'FAILED'
          ? 'FAILED'
          : 'LOCKED'
        : 'PENDING'
  return {
    pinId: record.pinId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    status,
    deliveryStatus: record.deliveryStatus,
    attemptsUsed: Math.max(0, pinAttempts - record.attemptsRemaining),
    resends: Math.max(0, record.messageIds.length - 1),
    provider: record.provider ?? null,
    country,
    ...(record.verifiedAt !== undefined ? { verifiedAt: record.verifiedAt } : {}),
  }
}

/** Writes the PIN's entry as the record now stands; a failure is logged, never passed on. */
export async function recordVerification(
  context: { store: TwoFactorStore; logger: Logger; pinAttempts: number },
  record: PinRecord,
  country: string | null,
  now: number,
): Promise<void> {
  try {
    await putEntry(context.store, record, verificationEntry(record, context.pinAttempts, country), now)
  } catch (error) {
    context.logger.error({ err: error, pinId: record.pinId }, 'could not write the verification index')
  }
}

/** A PIN's entry in its number's list, kept as long as the log keeps the PIN's creation. */
function putEntry(
  store: TwoFactorStore,
  record: PinRecord,
  entry: VerificationEntry,
  now: number,
): Promise<void> {
  return store.putListEntry(
    verificationListName(record.phoneNumber),
    record.pinId,
    JSON.stringify(entry),
    record.createdAt + VERIFICATION_LOG_TTL_MS,
    now,
  )
}

/**
 * Changes fields of a PIN's entry that the record can't rebuild alone (a delivery report's route
 * doesn't know the attempt budget): read, then write, like the record's own delivery status — two
 * racing reports can at worst leave the earlier status. No entry, no write; a failure is logged.
 */
export async function patchVerification(
  context: { store: TwoFactorStore; logger: Logger },
  record: PinRecord,
  patch: Partial<Pick<VerificationEntry, 'deliveryStatus' | 'provider'>>,
  now: number,
): Promise<void> {
  try {
    const [value] = await context.store.getListEntries(
      verificationListName(record.phoneNumber),
      [record.pinId],
      now,
    )
    if (!value) return
    await putEntry(context.store, record, { ...(JSON.parse(value) as VerificationEntry), ...patch }, now)
  } catch (error) {
    context.logger.error({ err: error, pinId: record.pinId }, 'could not write the verification index')
  }
}

/** The number's verifications of the last 7 days, newest first. */
export async function recentVerifications(
  store: TwoFactorStore,
  e164: string,
  now: number,
): Promise<VerificationEntry[]> {
  const entries = await store.listEntries(verificationListName(e164), now)
  const parsed: VerificationEntry[] = []
  for (const { value } of entries) {
    try {
      parsed.push(JSON.parse(value) as VerificationEntry)
    } catch {
      // An entry another version wrote and this one can't read is left out, not an error.
    }
  }
  return parsed.sort((a, b) => b.createdAt - a.createdAt)
}
