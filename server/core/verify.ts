/**
 * Verifying a PIN: the per-number verify limit, one atomic attempt (the race gate), a constant-time
 * comparison of MACs, the single-use gate, and a signed token for the right answer.
 */
import { TwoFactorError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { isWellFormedPin, normalizePinInput, pinMac, timingSafeEqual } from './pin.js'
import { pinUnusable } from './pin-record.js'
import { rateLimited } from './quotas.js'
import type { Services } from './services.js'

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
  // Read only to learn whose number this is, for the per-number verify limit; the decision about
  // the attempt is taken by consumeAttempt below, atomically.
  const known = await config.store.getPin(pinId)
  if (!known) throw pinUnusable('NOT_FOUND')
  if (!known.testNumber) {
    const { limit, windowMs } = config.verifyPinLimit
    const hit = await config.store.hit(`verify:${known.phoneNumber}`, limit, windowMs, now)
    if (!hit.allowed) throw rateLimited('verifyPin', hit.resetAt - now)
  }

  const singleUse = !config.allowMultiplePinVerifications
  // consumeAttempt is the race gate: of N concurrent verifiers at most the remaining budget pass.
  const attempt = await config.store.consumeAttempt(pinId, now, { singleUse })
  if (!attempt.ok) throw pinUnusable(attempt.reason)
  const record = attempt.record

  const candidate = pinMac(services.mac, pinId, pin)
  if (!timingSafeEqual(candidate, record.pinMac)) {
    if (record.attemptsRemaining === 0) await config.store.updatePin(pinId, { lifecycle: 'LOCKED' })
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
  const { token, expiresAt } = await services.signer.sign({ phoneNumber: record.phoneNumber, pinId }, now)
  return { token, expiresAt, phoneNumber: record.phoneNumber }
}
