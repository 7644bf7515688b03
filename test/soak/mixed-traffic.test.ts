/**
 * Soak on the memory store: hours of mixed traffic on a fake clock — ordinary people sending and
 * verifying, one client flooding sends it is refused, garbage and unknown pinIds — minute by minute.
 * Traffic that repeats every minute must leave a store that, once its longest window has turned
 * over, holds exactly as much at every hour: state follows live windows and PINs, not the number of
 * requests, and the flood adds nothing but its own one window.
 */
import { describe, expect, it } from 'vitest'
import { makeKit } from '../helpers/kit.js'

const HOURS = 6
const ORDINARY_PER_MINUTE = 3
const FLOOD_PER_MINUTE = 40

async function soak(withFlood: boolean) {
  let ip = ''
  const kit = makeKit({
    verifyPinLimit: '1/3s',
    sendPinPerPhoneNumberLimit: '5/1h',
    sendPinPerIpLimit: '20/1h',
    // 180 SMS an hour to one country is more than the default spend ceiling allows in a day.
    dailySpendLimit: null,
    dailySpendLimitPerCountry: null,
    getClientIp: () => ip,
  })
  const json = (path: string, body: unknown) => kit.post(path, body)
  const sizeAtHour: number[] = []
  const statuses = new Map<number, number>()
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1)
  let person = 0
  const indexed = new Set<string>()
  for (let minute = 1; minute <= HOURS * 60; minute++) {
    for (let i = 0; i < ORDINARY_PER_MINUTE; i++) {
      person += 1
      ip = `198.51.100.${person % 180}`
      // Each person a number of their own, spread over many prefixes.
      const operator = ['91', '92', '95', '98', '99'][person % 5]
      const phoneNumber = `+385${operator}${String(1_000_000 + ((person * 7_919) % 8_999_999))}`
      const sent = await json('/pin', { phoneNumber })
      count(sent.status)
      if (sent.status !== 201) continue
      indexed.add(phoneNumber)
      const { pinId } = (await sent.json()) as { pinId: string }
      count((await json(`/pin/${pinId}/verify`, { pin: kit.lastPin() })).status)
    }
    if (withFlood) {
      ip = '203.0.113.66'
      for (let i = 0; i < FLOOD_PER_MINUTE; i++) {
        const target = `+38598${String(1_000_000 + ((minute * FLOOD_PER_MINUTE + i) % 8_999_999))}`
        const status = (await json('/pin', { phoneNumber: target })).status
        count(status)
        if (status === 201) indexed.add(target)
      }
    }
    count((await json('/pin', '{"phoneNumber": [')).status)
    count((await json('/pin/0123456789ABCDEF0123456789ABCDEF/verify', { pin: '123456' })).status)
    kit.clock.advance(60_000)
    // What is kept on purpose for days is counted apart: blocks of the ranges a flood pumped (a
    // day, to know a repeat) and each number's verification log (a week, for the operator).
    if (minute % 60 === 0) {
      const now = kit.clock.now()
      let keptForDays = (await kit.store.listEntries('blocks', now)).length
      for (const number of indexed)
        keptForDays += (await kit.store.listEntries(`verifications:${number}`, now)).length
      sizeAtHour.push(kit.store.size - keptForDays)
    }
  }
  return { sizeAtHour, statuses: Object.fromEntries(statuses) }
}

describe('soak: hours of mixed traffic on the memory store', () => {
  it(`${HOURS} h of minutes alike (${ORDINARY_PER_MINUTE} people, ${FLOOD_PER_MINUTE} flood sends, garbage): the store stays flat once the breaker's counters turned over (3 h), and the flood's ${FLOOD_PER_MINUTE * 60} refusals an hour leave nothing`, async () => {
    const quiet = await soak(false)
    const flooded = await soak(true)
    const perHour = HOURS * 60
    expect(quiet.statuses).toEqual({
      200: perHour * ORDINARY_PER_MINUTE,
      201: perHour * ORDINARY_PER_MINUTE,
      400: perHour,
      404: perHour,
    })
    // The flooding client gets its per-IP 20 an hour through, and nothing more: the rest is refused
    // by the per-IP limit (429) or, its numbers being adjacent, by the range policies (403).
    expect(flooded.statuses[201]).toBe(perHour * ORDINARY_PER_MINUTE + HOURS * 20)
    expect(flooded.statuses[429]! + flooded.statuses[403]!).toBe(perHour * FLOOD_PER_MINUTE - HOURS * 20)
    expect(flooded.statuses[403]).toBeGreaterThan(0)
    // Flat: once the longest-lived entry (the breaker's counters: two 1 h windows and a PIN's life)
    // has turned over, the hours differ only by where the store's 30 s sweep falls and the hour's
    // one statistics entry (a handful of entries), never by the requests served.
    for (const { sizeAtHour } of [quiet, flooded]) {
      const steady = sizeAtHour.slice(3)
      expect(Math.max(...steady) - Math.min(...steady)).toBeLessThanOrEqual(5)
    }
    // The flood's 20 sends an hour leave what any 20 sends leave (PIN, link, windows); its 2,380
    // refusals an hour leave nothing, or the difference would grow by thousands each hour.
    for (let hour = 1; hour < HOURS; hour++) {
      expect(flooded.sizeAtHour[hour]! - quiet.sizeAtHour[hour]!).toBeLessThanOrEqual(40)
    }
  }, 120_000)
})
