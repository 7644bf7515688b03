/**
 * Infobip's duration and rate strings: durations are `{n}{ms|s|m|h|d}` ("10m", "1d"), rates are
 * `{count}/{duration}` ("1/3s", "10000/1d"). Parsed once, at start-up.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const ONE_YEAR_MS = 365 * UNIT_MS.d

export interface Rate {
  limit: number
  windowMs: number
}

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value.trim())
  if (!match) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return ms > 0 && ms <= ONE_YEAR_MS ? ms : undefined
}

/** `{ limit, windowMs }` of a rate string, or undefined when it is not one. */
export function parseRate(value: string): Rate | undefined {
  const match = /^(\d{1,9})\/(.+)$/.exec(value.trim())
  if (!match) return undefined
  const limit = Number(match[1])
  const windowMs = parseDuration(match[2]!)
  return limit > 0 && windowMs ? { limit, windowMs } : undefined
}
