/**
 * Verifying a PIN: the verify limit (per PIN, per number for test numbers), one atomic attempt (the
 * race gate), a constant-time comparison of MACs, the single-use gate, and a signed token for the
 * right answer.
 */
import { TwoFactorError } from './errors.js'
import { emitEvent, type TwoFactorEvent } from './events.js'
import type { ResolvedOptions } from './options.js'
import { describeE164 } from './phone.js'
import { takeLimitedAttempt } from './limited-attempt.js'
import { isWellFormedPin, normalizePinInput, pinMac, timingSafeEqual } from './pin.js'
import { pinUnusable } from './pin-record.js'
import { breakerCounts, countryScope } from './policy.js'
import { rateLimited } from './quotas.js'
import type { Services } from './services.js'
import { addStats, type Tally } from './stats.js'
import { recordVerification } from './verification-log.js'
import type { AttemptLimit, CounterUpdate, PinRecord } from '../stores/types.js'

/**
 * The verify limit's bucket. Per PIN, not per number: keyed per number, anyone who asks for a PIN to
 * a victim's number could keep that number's window full with wrong guesses on their own pinId, and
 * the victim's right PIN on theirs would answer 429. Guesses per number stay bounded without it:
 * every PIN comes from a send that took the per-number send quota, and has `pinAttempts` attempts
 * that a resend doesn't refill, so a number gets at most sendPinPerPhoneNumberLimit × pinAttempts
 * guesses (5/1d × 5 = 25 a day by default).
 * Test numbers take no send quota, so a script could open PINs without end; their guesses are bounded
 * only here, per number (a fixed PIN must not be guessable at request speed). That lets anyone hold a
 * test number's verifies back, which is the lesser harm for a number that belongs to testers.
 */
function verifyLimit(pinId: string, { limit, windowMs }: { limit: number; windowMs: number }): AttemptLimit {
  return { limit, windowMs, key: `verify:pin:${pinId}`, testNumberKeyPrefix: 'verify:number:' }
}

export async function verifyPin(
  config: ResolvedOptions,
  services: Services,
  pinId: string,
  input: string,
): Promise<{ token: string; expiresAt: number; phoneNumber: string }> {
  const now = config.clock()
  const pin = normalizePinInput(input, config.pinType)
  if (!isWellFormedPin(pin, config.pinType, config.pinLength)) {
    throw new TwoFactorError(
      'PIN_FORMAT_INVALID',
      `The code has ${config.pinLength} ${config.pinType === 'NUMERIC' ? 'digits' : 'characters'}.`,
      {
        pinLength: config.pinLength,
        pinType: config.pinType,
      },
    )
  }
  const singleUse = !config.allowMultiplePinVerifications
  // The record (whether it is a test number's decides the verify limit's key), the verify limit and
  // the attempt — the race gate: of N concurrent verifiers at most the remaining budget pass.
  const taken = await takeLimitedAttempt(config.store, pinId, now, {
    singleUse,
    limit: verifyLimit(pinId, config.verifyPinLimit),
  })
  if (!taken.found) throw pinUnusable('NOT_FOUND')
  const known = taken.record
  // Worked out when an event needs them, from the record the store vouched for: a damaged record
  // must reach consumeAttempt, whose StoreError says so (503), not fail here first.
  let aboutPin: { at: number; to: string; country: string | null; pinId: string } | undefined
  const about = (pin: Pick<PinRecord, 'phoneNumber' | 'country' | 'masked'>) => {
    if (aboutPin) return aboutPin
    // As the send found them; a record of an older version has them from the number.
    const { masked, country } =
      typeof pin.masked === 'string'
        ? { masked: pin.masked, country: pin.country ?? null }
        : describeE164(typeof pin.phoneNumber === 'string' ? pin.phoneNumber : '')
    return (aboutPin = { at: now, to: masked, country, pinId })
  }
  const emit = (event: TwoFactorEvent) => emitEvent(config.policy.onEvent, config.logger, event)
  // Test numbers stay out of the statistics, as they stay out of the send statistics.
  const count = (fields: Tally, also?: CounterUpdate[]) =>
    known.testNumber ? Promise.resolve() : addStats(config, now, fields, also)
  const hit = taken.hit
  if (!hit.allowed) {
    const refusal = rateLimited('verifyPin', hit.resetAt - now)
    const retryAfter = refusal.details.retryAfter as number
    emit({ type: 'verify.rate_limited', ...about(known), limit: 'verifyPin', retryAfter })
    await count({ 'rate_limited|verifyPin': 1 })
    throw refusal
  }

  const attempt = taken.attempt!
  if (!attempt.ok) {
    if (attempt.reason === 'EXPIRED') {
      emit({ type: 'pin.expired', ...about(known) })
      await count({ expired: 1 })
    }
    throw pinUnusable(attempt.reason)
  }
  const record = attempt.record

  const candidate = await pinMac(services.mac, pinId, pin)
  if (!timingSafeEqual(candidate, record.pinMac)) {
    const locked = record.attemptsRemaining === 0
    const current = locked
      ? ((await config.store.updatePin(pinId, { lifecycle: 'LOCKED' })) ?? record)
      : record
    emit({
      type: 'pin.failed_attempt',
      ...about(record),
      attemptsRemaining: record.attemptsRemaining,
    })
    if (locked) emit({ type: 'pin.locked', ...about(record) })
    await Promise.all([
      count(locked ? { failed_attempt: 1, locked: 1 } : { failed_attempt: 1 }),
      recordVerification(config, current, about(record).country, now),
    ])
    throw new TwoFactorError(
      'WRONG_PIN',
      record.attemptsRemaining === 0
        ? 'Wrong code, and that was the last try. Ask for a new code.'
        : 'Wrong code. Please try again.',
      { attemptsRemaining: record.attemptsRemaining },
    )
  }
  // Single use: of several concurrent right answers, markVerified lets exactly one through.
  if (!(await config.store.markVerified(pinId, now, { singleUse }))) throw pinUnusable('ALREADY_VERIFIED')
  const provider = record.provider ?? null
  const { country } = about(record)
  emit({ type: 'pin.verified', ...about(record), provider })
  const stats: Tally = { verified: 1 }
  stats[`verified|${countryScope(country ?? undefined, record.phoneNumber)}`] = 1
  if (record.network) stats[`verified|${record.network}`] = 1
  if (provider) stats[`verified|provider:${provider}`] = 1
  const verified: PinRecord = { ...record, lifecycle: 'VERIFIED', verifiedAt: now }
  await Promise.all([
    // The breaker measures conversion per send: the verification counts where its send was counted.
    count(stats, breakerCounts(config, record.countedIn ?? [], 'verified')),
    recordVerification(config, verified, country, now),
  ])
  const { token, expiresAt } = await services.signer.sign({ phoneNumber: record.phoneNumber, pinId }, now)
  return { token, expiresAt, phoneNumber: record.phoneNumber }
}
