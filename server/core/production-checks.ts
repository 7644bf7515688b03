/**
 * What production refuses beyond a missing setting: values that are valid but unsafe — odds of
 * guessing a PIN, a PIN that lives for days, limits so high they limit nothing. Each message names
 * the variable that changes it. Development keeps every value, for tests and demos.
 */
import type { Rate } from './duration.js'
import { ConfigurationError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { PIN_ALPHABETS } from './pin.js'

const DAY_MS = 86_400_000

/**
 * The most a wrong guesser may win per number per day: pinAttempts × sends per number per day /
 * possible PINs. NIST SP 800-63B §5.2.2 asks that OTP guessing be rate limited; the defaults
 * (5 attempts, 5 sends a day, 6 digits) give 2.5e-5.
 */
export const MAX_GUESS_ODDS_PER_DAY = 1e-3

/** A PIN lives at most this long in production unless `allowLongPinTimeToLive`, and never past a day. */
export const MAX_PIN_TTL_MS = 10 * 60_000
export const MAX_ALLOWED_PIN_TTL_MS = DAY_MS

/** Above these a limit limits nothing (per day, on average): the defaults are far below. */
export const MAX_PER_DAY = {
  verifyPinLimit: { perDay: 86_400, variable: 'TWO_FACTOR_VERIFY_PIN_LIMIT', example: '1/3s' },
  sendPinPerIpLimit: { perDay: 10_000, variable: 'TWO_FACTOR_SEND_PER_IP_LIMIT', example: '20/1h' },
  sendPinPerRangeLimit: { perDay: 10_000, variable: 'TWO_FACTOR_SEND_PER_RANGE_LIMIT', example: '10/1h' },
  sendPinPerWideRangeLimit: {
    perDay: 100_000,
    variable: 'TWO_FACTOR_SEND_PER_WIDE_RANGE_LIMIT',
    example: '30/1h',
  },
  sendPinPerApplicationLimit: {
    perDay: 10_000_000,
    variable: 'TWO_FACTOR_SEND_PER_APPLICATION_LIMIT',
    example: '10000/1d',
  },
} as const

const perDay = (rate: Rate) => (rate.limit * DAY_MS) / rate.windowMs

function refuse(message: string): never {
  throw new ConfigurationError(`twoFactor(): ${message}`)
}

export function assertProductionSafe(config: ResolvedOptions, allowLongPinTimeToLive: boolean): void {
  const space = PIN_ALPHABETS[config.pinType].length ** config.pinLength
  const sendsPerDay = perDay(config.sendPinPerPhoneNumberLimit)
  const odds = (config.pinAttempts * sendsPerDay) / space
  if (odds > MAX_GUESS_ODDS_PER_DAY)
    refuse(
      `the odds of guessing a PIN are ${odds.toPrecision(2)} per number per day (pinAttempts ${config.pinAttempts} × ` +
        `${Math.round(sendsPerDay)} sends a day / ${space} possible PINs); production accepts at most ` +
        `${MAX_GUESS_ODDS_PER_DAY}. Raise pinLength (TWO_FACTOR_PIN_LENGTH, 6 or more), lower pinAttempts ` +
        `(TWO_FACTOR_PIN_ATTEMPTS) or sendPinPerPhoneNumberLimit (TWO_FACTOR_SEND_PER_NUMBER_LIMIT, e.g. "5/1d")`,
    )

  const minutes = Math.round(config.pinTtlMs / 60_000)
  if (config.pinTtlMs > MAX_ALLOWED_PIN_TTL_MS)
    refuse(
      `"pinTimeToLive" (TWO_FACTOR_PIN_TTL) is ${minutes} minutes; production accepts at most 1d, and more ` +
        `than 10m only with TWO_FACTOR_ALLOW_LONG_PIN_TTL=true (allowLongPinTimeToLive). Set it to "10m" or less`,
    )
  if (config.pinTtlMs > MAX_PIN_TTL_MS && !allowLongPinTimeToLive)
    refuse(
      `"pinTimeToLive" (TWO_FACTOR_PIN_TTL) is ${minutes} minutes; production accepts at most 10m (NIST SP ` +
        `800-63B). Set it to "10m" or less, or TWO_FACTOR_ALLOW_LONG_PIN_TTL=true (allowLongPinTimeToLive) if ` +
        `a longer life is really wanted`,
    )

  const rates: Record<keyof typeof MAX_PER_DAY, Rate> = {
    verifyPinLimit: config.verifyPinLimit,
    sendPinPerIpLimit: config.sendPinPerIpLimit,
    sendPinPerRangeLimit: config.policy.rangeLimit,
    sendPinPerWideRangeLimit: config.policy.wideRangeLimit,
    sendPinPerApplicationLimit: config.sendPinPerApplicationLimit,
  }
  for (const [option, bound] of Object.entries(MAX_PER_DAY)) {
    const allowed = perDay(rates[option as keyof typeof MAX_PER_DAY])
    if (allowed > bound.perDay)
      refuse(
        `"${option}" (${bound.variable}) allows ${Math.round(allowed)} a day; production accepts at most ` +
          `${bound.perDay}: set a rate like "${bound.example}"`,
      )
  }
}
