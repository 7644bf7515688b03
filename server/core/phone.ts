/**
 * Phone numbers: parse and normalise to E.164 with libphonenumber-js (full `/max` metadata, which
 * knows number types), and the free check that refuses, before any PIN exists or any SMS is paid
 * for, a number of a type that can't receive an SMS. The country policies are in policy.ts.
 *
 * Every import of the library in server/ is `max/es6`: its untranspiled build, the same code and
 * metadata file as `max` without the Babel helpers that build repeats in each of its files (a
 * Worker's bundle: 2.4 KB less gzip). One build throughout, or a bundle carries both and a
 * `ParseError` of one is no `instanceof` the other's.
 */
import {
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max/es6'
import { TwoFactorError } from './errors.js'

export const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'FIXED_LINE',
  'VOIP',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const
export type NumberType = (typeof NUMBER_TYPES)[number]

export interface NormalizedNumber {
  /** E.164 with `+`. */
  e164: string
  country: string | undefined
  numberType: NumberType | undefined
  /** For the answer: country code kept, all but the last two digits hidden. */
  masked: string
}

export type InvalidNumberReason =
  'NOT_A_NUMBER' | 'INVALID_COUNTRY' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' | 'INVALID'

function invalid(reason: InvalidNumberReason): TwoFactorError {
  const messages: Record<InvalidNumberReason, string> = {
    NOT_A_NUMBER: 'That is not a phone number.',
    INVALID_COUNTRY:
      'The country of this number is unknown: start it with + and the country code, or pass "country".',
    TOO_SHORT: 'This phone number is too short.',
    TOO_LONG: 'This phone number is too long.',
    INVALID_LENGTH: 'This phone number has the wrong number of digits.',
    INVALID: 'This phone number does not exist.',
  }
  return new TwoFactorError('PHONE_NUMBER_INVALID', messages[reason], { reason })
}

function maskInternational(formatted: string): string {
  const firstSpace = formatted.indexOf(' ')
  const countryCode = formatted.slice(0, firstSpace)
  const rest = formatted.slice(firstSpace)
  let digitsLeft = rest.replace(/\D/g, '').length
  return countryCode + rest.replace(/\d/g, (digit) => (--digitsLeft < 2 ? digit : '•'))
}

/** A number that won't parse, masked all the same: every digit but the last two hidden. */
const maskDigits = (e164: string) => e164.replace(/\d(?=\d{2})/g, '•')

/** A stored E.164 number masked for answers; works for test numbers that aren't valid too. */
export function maskE164(e164: string): string {
  try {
    return maskInternational(parsePhoneNumberWithError(e164).formatInternational())
  } catch {
    return maskDigits(e164)
  }
}

/**
 * A stored E.164 number as events and statistics name it, from one parse: masked as `maskE164`
 * masks it, and its ISO country — null for a number that is not a valid one (a test number), as
 * `normalizePhoneNumber` would refuse it.
 */
export function describeE164(e164: string): { masked: string; country: string | null } {
  let parsed
  try {
    parsed = parsePhoneNumberWithError(e164)
  } catch {
    return { masked: maskDigits(e164), country: null }
  }
  const masked = maskInternational(parsed.formatInternational())
  // With full metadata, a number is valid exactly when it has a type (see normalizePhoneNumber).
  return { masked, country: parsed.getType() !== undefined ? (parsed.country ?? null) : null }
}

/** Parses what a user typed (international, or national with `country`) or throws PHONE_NUMBER_INVALID. */
export function normalizePhoneNumber(input: string, country?: string): NormalizedNumber {
  const defaultCountry = country as CountryCode | undefined
  let parsed
  try {
    parsed = parsePhoneNumberWithError(input, { defaultCountry, extract: false })
  } catch (error) {
    if (error instanceof ParseError) throw invalid(error.message as InvalidNumberReason)
    throw invalid('NOT_A_NUMBER')
  }
  // With full metadata, isValid() is getType() !== undefined: ask once, not twice.
  const numberType = parsed.getType() as NumberType | undefined
  if (!numberType) {
    const lengthProblem = validatePhoneNumberLength(parsed.number, defaultCountry)
    throw invalid((lengthProblem as InvalidNumberReason | undefined) ?? 'INVALID')
  }
  return {
    e164: parsed.number,
    country: parsed.country,
    numberType,
    masked: maskInternational(parsed.formatInternational()),
  }
}

/** Refuses a number of a type that can't take an SMS (or whose type can't be told). */
export function assertNumberTypeAllowed(
  number: NormalizedNumber,
  allowedNumberTypes: readonly NumberType[],
): void {
  if (!number.numberType || !allowedNumberTypes.includes(number.numberType)) {
    throw new TwoFactorError(
      'NUMBER_TYPE_NOT_ALLOWED',
      'This number cannot receive text messages; use a mobile number.',
      { numberType: number.numberType ?? 'UNKNOWN' },
    )
  }
}

/** Test numbers as `E.164 → PIN`; each key must parse as a phone number. */
export function normalizeTestNumbers(
  numbers: Record<string, string>,
  fail: (problem: string) => never,
): Map<string, string> {
  const map = new Map<string, string>()
  for (const [number, pin] of Object.entries(numbers)) {
    let e164: string
    try {
      e164 = parsePhoneNumberWithError(number).number
    } catch {
      fail(`has ${JSON.stringify(number)}, which is not an international phone number (+ and country code)`)
    }
    if (typeof pin !== 'string' || pin.length === 0) fail(`needs a PIN for ${number}`)
    map.set(e164, pin)
  }
  return map
}

/** `"+15005550006=123456,+385…=…"` (the TWO_FACTOR_TEST_NUMBERS format) as a record. */
export function parseTestNumbersList(list: string | undefined): Record<string, string> {
  const numbers: Record<string, string> = {}
  for (const item of (list ?? '').split(',')) {
    const trimmed = item.trim()
    if (!trimmed) continue
    const [number, pin, ...extra] = trimmed.split('=')
    if (!number || !pin || extra.length > 0) {
      throw new Error(
        `TWO_FACTOR_TEST_NUMBERS: expected "+number=PIN" items separated by commas, got ${JSON.stringify(trimmed)}`,
      )
    }
    numbers[number.trim()] = pin.trim()
  }
  return numbers
}
