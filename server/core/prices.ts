/**
 * What one SMS segment costs, per destination country, for the spend ceiling's estimate. The
 * defaults are rounded public list prices (USD per segment, late 2025) of the large providers for
 * the common destinations, and a high-risk average for every other country; a contract's own
 * prices go in the `smsPrices` option, which replaces entries of this table.
 */
export const DEFAULT_SMS_PRICES: Readonly<Record<string, number>> = Object.freeze({
  // Every country not listed: about what SMS to high-risk destinations costs on average.
  '*': 0.1,
  AE: 0.05,
  AR: 0.07,
  AT: 0.12,
  AU: 0.05,
  BE: 0.1,
  BR: 0.05,
  CA: 0.011,
  CH: 0.06,
  CL: 0.06,
  CN: 0.05,
  CO: 0.04,
  CZ: 0.06,
  DE: 0.09,
  DK: 0.04,
  EG: 0.25,
  ES: 0.09,
  FI: 0.09,
  FR: 0.08,
  GB: 0.045,
  GR: 0.06,
  HR: 0.1,
  HU: 0.1,
  ID: 0.41,
  IE: 0.08,
  IL: 0.14,
  IN: 0.08,
  IT: 0.08,
  JP: 0.08,
  KE: 0.16,
  KR: 0.04,
  MX: 0.07,
  MY: 0.09,
  NG: 0.28,
  NL: 0.11,
  NO: 0.07,
  NZ: 0.12,
  PH: 0.21,
  PK: 0.3,
  PL: 0.04,
  PT: 0.04,
  RO: 0.07,
  SA: 0.07,
  SE: 0.07,
  SG: 0.05,
  TH: 0.04,
  TR: 0.03,
  UA: 0.12,
  US: 0.011,
  VN: 0.12,
  ZA: 0.03,
})

/** Prices are counted in millionths, so that spend adds up in integer store counters. */
export const MICROS = 1_000_000

export const toMicros = (amount: number) => Math.round(amount * MICROS)
export const fromMicros = (micros: number) => micros / MICROS
