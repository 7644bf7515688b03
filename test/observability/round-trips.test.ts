// What the statistics and the verification index cost: the store calls of one send and one verify.
// Before them (7953e9d, measured with this file) a send made 14 calls in 13 sequential steps, a
// wrong PIN 3 in 3 and a right one 5 in 5. The index adds one write to each, made alongside the
// statistics' one addCounters: a send and a right PIN keep their steps, a wrong PIN (which counted
// nothing before) takes one more. Then a send's rate-limit hits went from nine calls (each its own
// step) to one hitAll per atomic step — the quotas with the range velocity that follows them, the
// spend — and the per-number read that sizes the cooldown to the same step as the scope reads: 15
// calls in 13 steps became 10 in 7.
import { describe, expect, it } from 'vitest'
import { memoryStore, type TwoFactorStore } from '../../server/index.js'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'

/** A memory store that records each call, and counts the sequential steps (calls that overlap none before). */
function countingStore() {
  const calls: string[] = []
  let inFlight = 0
  let steps = 0
  const store = memoryStore()
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        calls.push(String(property))
        if (inFlight === 0) steps += 1
        inFlight += 1
        try {
          // A store a network away: calls made together overlap, calls made one after another don't.
          await new Promise((resolve) => setTimeout(resolve, 2))
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        } finally {
          inFlight -= 1
        }
      }
    },
  }) as TwoFactorStore
  const take = () => {
    const taken = { calls: [...calls], steps }
    calls.length = 0
    steps = 0
    return taken
  }
  return { store: counting, take }
}

describe('store round trips', () => {
  it('a send: 10 calls in 7 sequential steps; a wrong PIN: 5 calls in 4; a right PIN: 6 calls in 5', async () => {
    const { store, take } = countingStore()
    const kit = makeKit({ store })
    const sent = await kit.startVerification(MOBILE_HR)
    const send = take()
    expect(send.calls).toEqual([
      'hit', // the number's sends so far (a read), which size its cooldown, alongside
      'getListEntries', // allow-list
      'getListEntries', // blocks
      'readCounters', // breaker
      'hitAll', // cooldown, per number, per IP, per application, then range velocity, 1k and 10k
      'hitAll', // spend, application and country
      'createPin',
      'updatePin',
      'putListEntry', // the verification index, alongside
      'addCounters', // statistics, totals and breaker counters, together
    ])
    expect(send.steps).toBe(7)

    await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin === '000000' ? '111111' : '000000' })
    expect(take()).toEqual({
      calls: ['getPin', 'hit', 'consumeAttempt', 'addCounters', 'putListEntry'],
      steps: 4,
    })
    await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin })
    expect(take()).toEqual({
      calls: ['getPin', 'hit', 'consumeAttempt', 'markVerified', 'addCounters', 'putListEntry'],
      steps: 5,
    })
  })
})
