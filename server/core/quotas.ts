/**
 * Send quotas, taken atomically in the store before anything is paid for. A send passes only if
 * every bucket it falls in has room; the buckets already taken are given back when a later one
 * refuses, or when no SMS went out, so a refusal never costs the user budget.
 */
import { clientIpBucket } from './client-ip.js'
import type { Rate } from './duration.js'
import { TwoFactorError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { takeRandomBytes } from './pin.js'
import type { RateLimitHit, TwoFactorStore } from '../stores/types.js'

/** What the caller is: for per-IP limits. */
export interface Caller {
  ip: string | undefined
}

export type LimitName =
  'resendCooldown' | 'sendPinPerPhoneNumber' | 'sendPinPerIp' | 'sendPinPerApplication' | 'verifyPin'

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
    let result: RateLimitHit
    try {
      result = await store.hit(bucket.key, bucket.rate.limit, bucket.rate.windowMs, now)
    } catch (error) {
      // A store that refused a new key (full, or gone): what was taken goes back, like a refusal.
      await release().catch(() => undefined)
      throw error
    }
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

/**
 * The wait after the `step`-th SMS to a number within its per-number window: `resendCooldown`, then
 * doubling, up to `maxResendCooldown`. From the second step on up to 10 % jitter is added, so
 * that retries spread out; `random` is in [0, 1).
 */
export function backoffWait(config: ResolvedOptions, step: number, random: number): number {
  const base = Math.min(config.resendCooldownMs * 2 ** Math.max(0, step - 1), config.maxResendCooldownMs)
  return step <= 1 ? base : Math.min(Math.round(base * (1 + 0.1 * random)), config.maxResendCooldownMs)
}

/** [0, 1) from 32 CSPRNG bits, drawn from the kit's pool (pin.ts): a getRandomValues call per send cost more. */
const randomUnit = () => {
  const [a, b, c, d] = takeRandomBytes(4) as unknown as [number, number, number, number]
  return (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) / 2 ** 32
}

/**
 * The number's own buckets: its cooldown, whose length grows with the SMS the number already had in
 * its per-number window (read without counting, so a refusal leaves no key), then that window.
 */
async function takeNumberQuota(config: ResolvedOptions, e164: string, now: number): Promise<TakenQuota> {
  const perNumber: Bucket = {
    limit: 'sendPinPerPhoneNumber',
    key: `send:number:${e164}`,
    rate: config.sendPinPerPhoneNumberLimit,
  }
  const { limit, windowMs } = perNumber.rate
  const sentBefore = (await config.store.hit(perNumber.key, limit, windowMs, now, 0)).count
  const cooldown: Bucket = {
    limit: 'resendCooldown',
    key: `cooldown:${e164}`,
    rate: { limit: 1, windowMs: backoffWait(config, sentBefore + 1, randomUnit()) },
  }
  return takeSendQuota(config.store, [cooldown, perNumber], now)
}

/** Buckets many numbers share: the caller's IP and the whole application. */
function sharedBuckets(config: ResolvedOptions, caller: Caller): Bucket[] {
  const buckets: Bucket[] = []
  if (caller.ip) {
    const key = `send:ip:${clientIpBucket(caller.ip)}`
    buckets.push({ limit: 'sendPinPerIp', key, rate: config.sendPinPerIpLimit })
  }
  buckets.push({
    limit: 'sendPinPerApplication',
    key: 'send:application',
    rate: config.sendPinPerApplicationLimit,
  })
  return buckets
}

export interface SendQuotas {
  resendAvailableAt: number
  /** Gives every bucket back: no SMS went out, and nothing was paid for. */
  release(): Promise<void>
  /** Gives back only the number's own buckets: nothing reached this number, but a lookup was spent on it. */
  releaseNumber(): Promise<void>
}

/** Every send quota, in order (backoff, cooldown, number, IP, application); a refusal gives all back. */
export async function takeSendQuotas(
  config: ResolvedOptions,
  e164: string,
  caller: Caller,
  now: number,
): Promise<SendQuotas> {
  const own = await takeNumberQuota(config, e164, now)
  let shared: TakenQuota
  try {
    shared = await takeSendQuota(config.store, sharedBuckets(config, caller), now)
  } catch (error) {
    await own.release().catch(() => undefined)
    throw error
  }
  return {
    resendAvailableAt: own.resendAvailableAt,
    release: async () => {
      await Promise.all([own.release(), shared.release()])
    },
    releaseNumber: () => own.release(),
  }
}
