import { describe, expect, it } from 'vitest'
import { nextDeliveryStatus } from './delivery.js'

describe('nextDeliveryStatus', () => {
  it.each([
    ['ACCEPTED', 'SENT', true, 'SENT'],
    ['SENT', 'ACCEPTED', true, 'SENT'],
    ['SENT', 'DELIVERED', true, 'DELIVERED'],
    ['DELIVERED', 'SENT', true, 'DELIVERED'],
    ['DELIVERED', 'UNDELIVERABLE', true, 'DELIVERED'],
    ['SENT', 'UNDELIVERABLE', true, 'UNDELIVERABLE'],
    ['UNDELIVERABLE', 'SENT', true, 'UNDELIVERABLE'],
    ['FAILED', 'SENT', true, 'FAILED'],
    ['EXPIRED', 'REJECTED', true, 'EXPIRED'],
    ['FAILED', 'DELIVERED', true, 'DELIVERED'],
    // Reports about an older SMS of the same PIN: only "delivered" matters.
    ['ACCEPTED', 'FAILED', false, 'ACCEPTED'],
    ['ACCEPTED', 'SENT', false, 'ACCEPTED'],
    ['ACCEPTED', 'DELIVERED', false, 'DELIVERED'],
  ] as const)('%s + %s (latest message: %s) → %s', (current, incoming, latest, expected) => {
    expect(nextDeliveryStatus(current, incoming, latest)).toBe(expected)
  })
})
