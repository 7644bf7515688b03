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
import type { HitRequest, RateLimitHit, TwoFactorStore } from '../stores/types.js'
import { giveBackHits, takeHits } from './hits.js'

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

const asHit = (bucket: Bucket): HitRequest => ({
  key: bucket.key,
  limit: bucket.rate.limit,
  windowMs: bucket.rate.windowMs,
})

/**
 * Takes every bucket, in order, in one step (one store call where the store can): a refusal gives
 * all of them back and answers RATE_LIMITED for the first bucket without room.
 */
export async function takeSendQuota(
  store: TwoFactorStore,
  buckets: Bucket[],
  now: number,
): Promise<TakenQuota> {
  const taken = await takeHits(store, buckets.map(asHit), now)
  if (!taken.allowed) throw rateLimited(buckets[taken.refused]!.limit, taken.hit.resetAt - now)
  const cooldown = buckets.findIndex((bucket) => bucket.limit === 'resendCooldown')
  return {
    resendAvailableAt: cooldown >= 0 ? taken.hits[cooldown]!.resetAt : now,
    release: () => giveBackHits(store, buckets.map(asHit), now),
  }
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
 * The SMS the number already had in its per-number window, read without counting (so a refusal
 * leaves no key): what its cooldown's length grows with. A read only, so a send starts it
 * alongside its other reads.
 */
export async function sentToNumber(config: ResolvedOptions, e164: string, now: number): Promise<number> {
  const { limit, windowMs } = config.sendPinPerPhoneNumberLimit
  return (await config.store.hit(perNumberKey(e164), limit, windowMs, now, 0)).count
}

const perNumberKey = (e164: string) => `send:number:${e164}`

/**
 * The number's own buckets — its cooldown, whose length grows with `sentBefore` (the SMS it had in
 * its per-number window), then that window — and the ones many numbers share: the caller's IP and
 * the whole application.
 */
function sendBuckets(config: ResolvedOptions, e164: string, caller: Caller, sentBefore: number) {
  const own: Bucket[] = [
    {
      limit: 'resendCooldown',
      key: `cooldown:${e164}`,
      rate: { limit: 1, windowMs: backoffWait(config, sentBefore + 1, randomUnit()) },
    },
    { limit: 'sendPinPerPhoneNumber', key: perNumberKey(e164), rate: config.sendPinPerPhoneNumberLimit },
  ]
  const shared: Bucket[] = []
  if (caller.ip) {
    const key = `send:ip:${clientIpBucket(caller.ip)}`
    shared.push({ limit: 'sendPinPerIp', key, rate: config.sendPinPerIpLimit })
  }
  shared.push({
    limit: 'sendPinPerApplication',
    key: 'send:application',
    rate: config.sendPinPerApplicationLimit,
  })
  return { own, shared }
}

export interface SendQuotas {
  resendAvailableAt: number
  /** Gives every bucket back: no SMS went out, and nothing was paid for. */
  release(): Promise<void>
  /** Gives back only the number's own buckets: nothing reached this number, but a lookup was spent on it. */
  releaseNumber(): Promise<void>
}

/** What became of the hits a caller asked `takeSendQuotas` to take after the quotas. */
export type AlsoTaken =
  | { allowed: true; hits: RateLimitHit[] }
  /** One was refused: every hit of the step, the quotas' too, has been given back. */
  | { allowed: false; refused: number; hit: RateLimitHit }

/**
 * Every send quota, in order (cooldown, number, IP, application), then `also` (the range velocity),
 * in one step. A quota's refusal gives all back and throws RATE_LIMITED; one of `also` gives all
 * back too and is answered in `also`, for its caller to refuse. `sentBefore` is `sentToNumber`'s
 * answer.
 */
export async function takeSendQuotas(
  config: ResolvedOptions,
  e164: string,
  caller: Caller,
  now: number,
  sentBefore: number,
  also: readonly HitRequest[] = [],
): Promise<SendQuotas & { also: AlsoTaken }> {
  const { own, shared } = sendBuckets(config, e164, caller, sentBefore)
  const buckets = [...own, ...shared]
  const taken = await takeHits(config.store, [...buckets.map(asHit), ...also], now)
  const giveBack = (some: Bucket[]) => giveBackHits(config.store, some.map(asHit), now)
  const quotas = {
    resendAvailableAt: now,
    release: () => giveBack(buckets),
    releaseNumber: () => giveBack(own),
  }
  if (!taken.allowed) {
    if (taken.refused < buckets.length)
      throw rateLimited(buckets[taken.refused]!.limit, taken.hit.resetAt - now)
    const refused = taken.refused - buckets.length
    // Nothing of this send is taken any more: there is nothing to release.
    const nothing = async () => {}
    return { ...quotas, release: nothing, releaseNumber: nothing, also: { ...taken, refused } }
  }
  return {
    ...quotas,
    // The cooldown is the first bucket: its window's end is when the number may have another SMS.
    resendAvailableAt: taken.hits[0]!.resetAt,
    also: { allowed: true, hits: taken.hits.slice(buckets.length) },
  }
}
