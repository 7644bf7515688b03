/**
 * The admin API's answers as the dashboard reads them (`server/http/admin.ts` writes them). The
 * widget never imports server code, so the shapes are written here; the e2e tests hold both sides
 * to them against a real server.
 */

export type Period = 'hour' | 'day' | 'week'

/** Requested → sent → delivered → verified; conversion is verified / sent (null without sends). */
export interface Funnel {
  requested: number
  sent: number
  delivered: number
  verified: number
  conversion: number | null
}

export interface CountryRow extends Funnel {
  /** ISO 3166 code (`HR`), or the pool of rare countries. */
  country: string
  spend: number
}

export interface ProviderRow {
  provider: string
  sent: number
  delivered: number
  undelivered: number
  verified: number
  failed: number
  conversion: number | null
  latencyMs: number | null
}

export interface Refusal {
  /** `RANGE_VELOCITY`, `COUNTRY_NOT_ALLOWED`, … or a rate limit's name. */
  reason: string
  /** Decided in shadow mode: counted, not enforced. */
  shadow: boolean
  count: number
}

export interface Block {
  /** `range:385911234`, `country:HR`, `network:21901`. */
  scope: string
  reason: string
  action: 'block' | 'captcha'
  level: number
  since: number
  until: number
}

export interface Spend {
  /** The UTC day the ceiling is for, `2026-11-30`. */
  day: string
  spent: number
  ceiling: number | null
  countries: Record<string, { spent: number; ceiling: number | null }>
  /** Estimated spend over the summary's period. */
  periodSpend: number
}

export interface HourPoint {
  /** `2026-11-30T19` (UTC). */
  hour: string
  requested: number
  sent: number
  delivered: number
  verified: number
  refused: number
}

export interface Summary {
  period: Period
  hours: number
  funnel: Funnel
  byCountry: CountryRow[]
  byProvider: ProviderRow[]
  refusals: Refusal[]
  spend: Spend
  series: HourPoint[]
  blocks: Block[]
}

export interface Verification {
  pinId: string
  createdAt: number
  expiresAt: number
  status: string
  deliveryStatus?: string | null
  attemptsUsed: number
  resends: number
  provider?: string | null
  country?: string | null
  verifiedAt?: number | null
}

export interface NumberHistory {
  phoneNumber: string
  verifications: Verification[]
}

export interface AllowListEntry {
  entry: string
  source: 'options' | 'store'
  note?: string
  addedAt?: number
  until?: number
}
