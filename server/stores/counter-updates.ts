/**
 * The one check of `addCounters` input that every store makes before it writes anything: amounts are
 * safe integers (Redis' HINCRBY takes nothing else, and a fraction summed in one store and refused
 * by another would give two answers), the retention a positive number of milliseconds.
 */
import type { CounterUpdate } from './types.js'

export function checkCounterUpdates(store: string, updates: readonly CounterUpdate[]): void {
  for (const { key, fields, ttlMs } of updates) {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
      throw new TypeError(`${store}: addCounters needs a positive ttlMs for "${key}", got ${String(ttlMs)}`)
    }
    for (const [field, amount] of Object.entries(fields)) {
      if (!Number.isSafeInteger(amount)) {
        throw new TypeError(
          `${store}: addCounters adds integers only; "${key}" field "${field}" got ${String(amount)}`,
        )
      }
    }
  }
}
