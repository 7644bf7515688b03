/**
 * Delivery reports applied to the PINs they belong to. Reports arrive late, out of order and
 * repeated, and a resend adds a newer SMS (with the same PIN) to the record: `nextDeliveryStatus`
 * says which report wins. Web APIs only; the webhook routes are in `http/delivery-reports.ts`.
 */
import { emitEvent, type EventHook } from './events.js'
import type { Logger } from './log.js'
import { describeE164 } from './phone.js'
import { countryScope } from './policy.js'
import { addStats, tallyAdd, type Tally } from './stats.js'
import { patchVerification } from './verification-log.js'
import type { DeliveryReport } from '../providers/types.js'
import type { DeliveryStatus, TwoFactorStore } from '../stores/types.js'

/** Where the reports' events, statistics and verification index go. */
export interface DeliveryReportContext {
  /** The provider whose route the reports came through. */
  provider: string
  onEvent: EventHook | undefined
  logger: Logger
  clock: () => number
}

export interface DeliveryReportOutcome {
  received: number
  /** Reports that changed a PIN's delivery status. */
  updated: number
  /** Reports for a known PIN that did not change it (late, out of order or repeated). */
  unchanged: number
  /** Reports for message ids we don't know. */
  unknown: number
}

const FINAL: ReadonlySet<DeliveryStatus> = new Set([
  'DELIVERED',
  'UNDELIVERABLE',
  'EXPIRED',
  'REJECTED',
  'FAILED',
])
const PROGRESS: Record<string, number> = { PENDING: 0, ACCEPTED: 1, SENT: 2 }

/**
 * Applies parsed reports to the PINs they belong to. With `context`, each change is an event
 * (`delivery.reported`) and the PIN's index entry follows it; a PIN's first report of a final
 * status counts in the statistics (`delivered`, or `undelivered` for any other final status), all of
 * a request's reports in one write.
 */
export async function applyDeliveryReports(
  store: TwoFactorStore,
  reports: DeliveryReport[],
  context?: DeliveryReportContext,
): Promise<DeliveryReportOutcome> {
  const outcome: DeliveryReportOutcome = { received: reports.length, updated: 0, unchanged: 0, unknown: 0 }
  const tally: Tally = {}
  const now = context?.clock() ?? 0
  for (const report of reports) {
    const pinId = await store.findPinIdByMessageId(report.messageId)
    const record = pinId ? await store.getPin(pinId) : null
    if (!pinId || !record) {
      outcome.unknown += 1
      continue
    }
    const fromLatestMessage = record.messageIds.at(-1) === report.messageId
    const next = nextDeliveryStatus(record.deliveryStatus, report.status, fromLatestMessage)
    if (next === record.deliveryStatus) {
      outcome.unchanged += 1
      continue
    }
    // Read, then write: the store has no compare-and-set for this field. Two reports for one PIN
    // racing can at worst leave the earlier of two statuses, never touch the PIN's secret or attempts.
    await store.updatePin(pinId, { deliveryStatus: next })
    outcome.updated += 1
    if (!context) continue
    const { provider } = context
    const { masked, country } = describeE164(record.phoneNumber)
    emitEvent(context.onEvent, context.logger, {
      type: 'delivery.reported',
      at: now,
      to: masked,
      country,
      pinId,
      provider,
      status: next,
    })
    if (FINAL.has(next) && !record.testNumber) {
      const field = next === 'DELIVERED' ? 'delivered' : 'undelivered'
      tallyAdd(tally, { [field]: 1, [`${field}|provider:${provider}`]: 1 })
      if (next === 'DELIVERED')
        tallyAdd(tally, { [`delivered|${countryScope(country ?? undefined, record.phoneNumber)}`]: 1 })
    }
    await patchVerification({ store, logger: context.logger }, record, { deliveryStatus: next }, now)
  }
  if (context) await addStats({ store, logger: context.logger }, now, tally)
  return outcome
}

/**
 * Where a PIN's delivery status goes on a new report. Reports arrive late and out of order, and a
 * resend adds a newer SMS (with the same PIN) to the record:
 * - DELIVERED (from any of the PIN's SMS) wins: the user has the code.
 * - Anything else about an older SMS is ignored: the newest one is what the user waits for.
 * - A final status (FAILED included: the provider has given up on that SMS) is never replaced by an
 *   intermediate one, and the first final status stays.
 * - Intermediate statuses only move forward (ACCEPTED → SENT).
 */
export function nextDeliveryStatus(
  current: DeliveryStatus,
  incoming: DeliveryStatus,
  fromLatestMessage: boolean,
): DeliveryStatus {
  if (current === 'DELIVERED') return current
  if (incoming === 'DELIVERED') return incoming
  if (!fromLatestMessage) return current
  if (FINAL.has(current)) return current
  if (FINAL.has(incoming)) return incoming
  return (PROGRESS[incoming] ?? 0) > (PROGRESS[current] ?? 0) ? incoming : current
}
