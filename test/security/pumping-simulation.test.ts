// SMS pumping against the default policies, and a legitimate population that must pass untouched:
// deterministic simulations through the HTTP API on a fake clock (test/helpers/pumping-simulation.ts),
// so every figure is exact. `npm run bench` prints the same figures; README's "Abuse and cost" quotes them.
import { describe, expect, it } from 'vitest'
import {
  countryBurst,
  legitimatePopulation,
  rangeAttack,
  worldTour,
  worldTourNumbers,
} from '../helpers/pumping-simulation.js'

describe('pumping attacks at the default policies', () => {
  it('a range attack from 50 IPs (adjacent +385 91 numbers, 1/s, 30 min): first refusal after 7 paid SMS, 30 paid in 30 minutes, none after minute 16', async () => {
    const result = await rangeAttack()
    expect(result).toMatchObject({
      requests: 1800,
      paidSms: 30,
      paidBeforeFirstRefusal: 7,
      lastPaidAtMinute: 16,
    })
    expect(result.refusedByReason).toStrictEqual({
      'SEND_BLOCKED/LOW_CONVERSION range': 4,
      'SEND_BLOCKED/LOW_CONVERSION country': 1766,
    })
    expect(result.spend).toBe(3)
  })

  it('a country burst from 200 IPs (random HR mobiles, 1/s, 30 min): the country breaker stops it after 20 paid SMS, 30 paid in all, none after minute 15', async () => {
    const result = await countryBurst()
    expect(result).toMatchObject({
      requests: 1800,
      paidSms: 30,
      paidBeforeFirstRefusal: 20,
      lastPaidAtMinute: 15,
    })
    expect(result.refusedByReason).toStrictEqual({ 'SEND_BLOCKED/LOW_CONVERSION country': 1770 })
    expect(result.spend).toBe(3)
  })

  it("the world tour from 8 IPs under allowedCountries '*': 20 paid SMS, then the rare countries, judged together, are blocked; +881/+870 refused as HIGH_RISK_DESTINATION", async () => {
    expect(worldTourNumbers()).toHaveLength(240)
    const result = await worldTour()
    expect(result).toMatchObject({ requests: 240, paidSms: 20, lastPaidAtMinute: 0, spend: 1.88 })
    expect(result.refusedByReason).toStrictEqual({
      'SEND_BLOCKED/LOW_CONVERSION rare countries': 218,
      'SEND_BLOCKED/HIGH_RISK_DESTINATION country': 2,
    })
  })

  it('the world tour under allowedCountries [HR, DE, FR, GB, US]: 6 paid SMS, 232 COUNTRY_NOT_ALLOWED, 2 HIGH_RISK_DESTINATION', async () => {
    // Six, not five: the Isle of Man's example mobile number (+44 7924 …) is a GB number.
    const result = await worldTour({ allowedCountries: ['HR', 'DE', 'FR', 'GB', 'US'] })
    expect(result).toMatchObject({ requests: 240, paidSms: 6, spend: 0.37 })
    expect(result.refusedByReason).toStrictEqual({
      'SEND_BLOCKED/COUNTRY_NOT_ALLOWED country': 232,
      'SEND_BLOCKED/HIGH_RISK_DESTINATION country': 2,
    })
  })
})

describe('a legitimate population at the default policies', () => {
  it('2,000 people over 24 h (10 countries, US-heavy, 85 % verifying, 4 % resending): 0 sends refused, 2,080 SMS for 87.84 of the 100 daily ceiling', async () => {
    const result = await legitimatePopulation()
    expect(result).toMatchObject({ paidSms: 2080, legitimateRefused: 0, verified: 1685, spend: 87.84 })
    expect(result.refusedByReason).toStrictEqual({})
  })

  it('the same 2,000 people with only 60 % verifying: still 0 sends refused (the breaker judges with 99 % confidence, not on noise)', async () => {
    const result = await legitimatePopulation({ verifying: 0.6 })
    expect(result).toMatchObject({ paidSms: 2079, legitimateRefused: 0, verified: 1197, spend: 87.49 })
    expect(result.refusedByReason).toStrictEqual({})
  })
})
