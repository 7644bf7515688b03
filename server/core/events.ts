/**
 * What the kit tells the operator, as it happens: one typed event per decision worth knowing about,
 * handed to the `onEvent` option. An event never slows or breaks the request that caused it: the
 * hook is called without being awaited, and whatever it throws (or rejects with) is logged.
 * Events carry masked numbers and never a PIN.
 */
import type { Logger } from './options.js'
import type { SendBlockReason } from './policy.js'

interface EventBase {
  /** When it happened (Unix ms, the kit's clock). */
  at: number
}

/** A send refused by a policy, or — in shadow mode — one that would have been. */
export interface SendRefusedEvent extends EventBase {
  type: 'send.refused'
  reason: SendBlockReason
  /** What the decision applies to: `country:HR`, `range:385911234`, `network:21901`, `application`. */
  scope: string
  /** True when the policy runs in shadow mode: recorded, not enforced (the send went ahead). */
  shadow: boolean
  /** The number, masked. */
  to: string
  country: string | null
}

/** A scope was blocked (or put under a captcha) by a policy; `until` is when it ends by itself. */
export interface ScopeBlockedEvent extends EventBase {
  type: 'policy.blocked'
  reason: SendBlockReason
  scope: string
  action: 'block' | 'captcha'
  /** 1 for a first block; each repeat within a day doubles the duration. */
  level: number
  until: number
}

/** Spend crossed 80 % of a daily ceiling (once per ceiling and day). */
export interface SpendCeilingNearEvent extends EventBase {
  type: 'spend.ceiling_near'
  /** `application` for the global ceiling, `country:HR` for one country's. */
  scope: string
  /** Estimated spend so far today and the ceiling, in the price table's currency. */
  spent: number
  ceiling: number
}

export type TwoFactorEvent = SendRefusedEvent | ScopeBlockedEvent | SpendCeilingNearEvent

export type EventHook = (event: TwoFactorEvent) => void | Promise<void>

/** Calls the hook without awaiting it; a throw or a rejection is logged, never passed on. */
export function emitEvent(hook: EventHook | undefined, logger: Logger, event: TwoFactorEvent): void {
  if (!hook) return
  const failed = (error: unknown) =>
    logger.error(`[two-factor-kit] onEvent threw on "${event.type}"; the request went on:`, error)
  try {
    const result = hook(event)
    if (result && typeof result.then === 'function') result.then(undefined, failed)
  } catch (error) {
    failed(error)
  }
}
