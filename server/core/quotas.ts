/**
 * Send quotas, taken atomically in the store before anything is paid for. A send passes only if
 * every bucket it falls in has room; the buckets already taken are given back when a later one
 * refuses, or when no SMS went out, so a refusal never costs the user budget.
 */
import type { Rate } from './duration.js'
import { TwoFactorError } from './errors.js'
import type { TwoFactorStore } from '../stores/types.js'

export type LimitName =
  | 'resendCooldown'
  | 'sendPinPerPhoneNumber'
  | 'sendPinPerIp'
  | 'sendPinPerPrefix'
  | 'sendPinPerApplication'
  | 'verifyPin'

export interface Bucket {
  limit: LimitName
  key: string
  rate: Rate
}

export interface TakenQuota {
  /** When the number may get its next SMS (the cooldown window's end). */
  resendAvailableAt: number
  /** Gives every bucket back: for a send that did not happen. */
  release(): Promise<void>
}

export function rateLimited(limit: LimitName, retryAfterMs: number): TwoFactorError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000))
  const messages: Record<LimitName, string> = {
    resendCooldown: `Please wait ${retryAfter} s before asking for another code.`,
    sendPinPerPhoneNumber: 'Too many codes were sent to this number. Try again later.',
    sendPinPerIp: 'Too many codes were requested from this network. Try again later.',
    sendPinPerPrefix: 'Too many codes were requested for numbers like this one. Try again later.',
    sendPinPerApplication: 'The service is sending too many codes right now. Try again later.',
    verifyPin: `Too many tries. Please wait ${retryAfter} s.`,
  }
  return new TwoFactorError('RATE_LIMITED', messages[limit], { limit, retryAfter })
}

export async function takeSendQuota(
  store: TwoFactorStore,
  buckets: Bucket[],
  now: number,
): Promise<TakenQuota> {
  const taken: Bucket[] = []
  const release = async () => {
    await Promise.all(
      taken.map((bucket) => store.hit(bucket.key, bucket.rate.limit, bucket.rate.windowMs, now, -1)),
    )
  }
  let resendAvailableAt = now
  for (const bucket of buckets) {
    const result = await store.hit(bucket.key, bucket.rate.limit, bucket.rate.windowMs, now)
    if (!result.allowed) {
      // This hit counted too: give it back with the others, so a refused send costs nothing.
      taken.push(bucket)
      await release()
      throw rateLimited(bucket.limit, result.resetAt - now)
    }
    taken.push(bucket)
    if (bucket.limit === 'resendCooldown') resendAvailableAt = result.resetAt
  }
  return { resendAvailableAt, release }
}
