/** Numbers, times, countries and reasons in words, through `Intl` rather than tables of our own. */

const locale = typeof navigator === 'undefined' ? 'en' : navigator.language || 'en'
const integers = new Intl.NumberFormat(locale)
const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })
const money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 4 })
const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
const times = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' })
const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
let regionNames: Intl.DisplayNames | undefined
try {
  regionNames = new Intl.DisplayNames([locale, 'en'], { type: 'region' })
} catch {
  // a browser without DisplayNames shows the codes
}

export const count = (value: number) => integers.format(value)
export const amount = (value: number) => money.format(value)
export const percent = (value: number | null) => (value === null ? '–' : percents.format(value))
export const dateTime = (ms: number) => dateTimes.format(ms)
export const clockTime = (ms: number) => times.format(ms)

/** `in 25 minutes`, `2 hours ago`: the largest unit that makes a whole number. */
export function fromNow(ms: number, now = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000)
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ]
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit)
  return relative.format(seconds, 'second')
}

/** `Croatia (HR)`; codes that are no region (the rare countries' pool) stay as they are. */
export function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code === 'rare' ? 'Rare countries (pooled)' : code
  const name = regionNames?.of(code)
  return name && name !== code ? `${name} (${code})` : code
}

const REASONS: Record<string, string> = {
  COUNTRY_NOT_ALLOWED: 'Country not allowed',
  HIGH_RISK_DESTINATION: 'High-risk destination',
  RANGE_VELOCITY: 'Too many sends to one number range',
  LOW_CONVERSION: 'Low conversion (suspected pumping)',
  SPEND_CEILING: 'Daily spend ceiling reached',
}

/** A refusal or block reason in words; rate limits and reasons this page doesn't know by their name. */
export function reasonText(reason: string): string {
  return REASONS[reason] ?? reason.replace(/_/g, ' ').replace(/^./, (first) => first.toUpperCase())
}

/** `range:385911234` → `+385 911 234 xxx`-like reading for people; other scopes as they are. */
export function scopeText(scope: string): string {
  const [kind, value = ''] = scope.split(/:(.*)/s)
  if (kind === 'range') return `Numbers +${value}…`
  if (kind === 'country') return `Country ${countryName(value)}`
  if (kind === 'network') return `Mobile network ${value}`
  return scope
}

/** `PENDING`, `not_delivered` → `Pending`, `Not delivered`: the API's states in words. */
export const stateText = (state: string) =>
  state
    .replace(/_/g, ' ')
    .toLowerCase()
    .replace(/^./, (first) => first.toUpperCase())
