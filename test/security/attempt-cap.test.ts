// The attempt budget per PIN is what makes guessing hopeless (5 tries against 10^6 PINs by default):
// it holds under concurrency too, exists from the first instant, and a resend never refills it.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../helpers/kit.js'

const wrongPinFor = (pin: string) => (pin === '000000' ? '111111' : '000000')

describe('attempt cap', () => {
  it('N wrong PINs, then the right one is refused and the record is destroyed', async () => {
    const kit = makeKit({ pinAttempts: 3 })
    const { pinId, pin } = await kit.startVerification()
    for (const remaining of [2, 1, 0]) {
      const response = await kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })
      expect(response.status).toBe(422)
      expect(await errorOf(response)).toMatchObject({ code: 'WRONG_PIN', attemptsRemaining: remaining })
    }
    const right = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(right.status).toBe(404)
    expect((await errorOf(right)).code).toBe('PIN_NOT_FOUND')
    const record = await kit.store.getPin(pinId)
    expect(record?.pinMac).toBe('')
    expect(record?.lifecycle).toBe('LOCKED')
  })

  it('50 concurrent wrong PINs: no more than pinAttempts are evaluated', async () => {
    const kit = makeKit({ pinAttempts: 5 })
    const { pinId, pin } = await kit.startVerification()
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })),
    )
    const codes = await Promise.all(responses.map(async (response) => (await errorOf(response)).code))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'PIN_NOT_FOUND')).toHaveLength(45)
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin }))).code).toBe('PIN_NOT_FOUND')
  })

  it('the counter exists with the PIN: the first attempt already counts against the full budget', async () => {
    const kit = makeKit({ pinAttempts: 2 })
    const { pinId } = await kit.startVerification()
    const record = await kit.store.getPin(pinId)
    expect(record?.attemptsRemaining).toBe(2)
    const first = await kit.store.consumeAttempt(pinId, kit.clock.now(), { singleUse: true })
    expect(first).toMatchObject({ ok: true, record: { attemptsRemaining: 1 } })
  })

  it('a resend does not reset the budget: total guesses stay ≤ pinAttempts', async () => {
    const kit = makeKit({ pinAttempts: 4, resendCooldown: '1s' })
    const { pinId, pin } = await kit.startVerification()
    let wrongAnswers = 0
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        const response = await kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })
        if ((await errorOf(response)).code === 'WRONG_PIN') wrongAnswers++
      }
      kit.clock.advance(1_000)
      await kit.post(`/pin/${pinId}/resend`)
    }
    expect(wrongAnswers).toBe(4)
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin }))).code).toBe('PIN_NOT_FOUND')
  })
})
