// The verify limiter slows guessing on one PIN without handing anyone a way to refuse someone else's
// right PIN: it is keyed per pinId, because guesses per number are already bounded by the sends to it
// (each one a new PIN with its own attempt budget). Test numbers send for free, so for them the
// limiter is what bounds guesses per number, and they keep the attempt cap as well.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'
import { tally } from '../helpers/outcomes.js'

const wrongPinFor = (pin: string) => (pin === '000000' ? '111111' : '000000')

/** `200`, or `<status> <code>` of the refusal. */
async function verifyOutcome(response: Response): Promise<string> {
  if (response.status === 200) return '200'
  return `${response.status} ${(await errorOf(response)).code}`
}

describe('verify limit (per PIN)', () => {
  it('20 wrong PINs on an attacker’s pinId at one instant (1/3s → 1 evaluated, 19 × 429) do not refuse the victim’s right PIN on their own pinId to the same number', async () => {
    const kit = makeKit({ verifyPinLimit: '1/3s', resendCooldown: '30s' })
    const attacker = await kit.startVerification(MOBILE_HR)
    kit.clock.advance(30_000)
    const victim = await kit.startVerification(MOBILE_HR)

    const hammering = await Promise.all(
      Array.from({ length: 20 }, () =>
        kit.post(`/pin/${attacker.pinId}/verify`, { pin: wrongPinFor(attacker.pin) }),
      ),
    )
    expect(tally(await Promise.all(hammering.map(verifyOutcome)))).toStrictEqual({
      '422 WRONG_PIN': 1,
      '429 RATE_LIMITED': 19,
    })

    const right = await kit.post(`/pin/${victim.pinId}/verify`, { pin: victim.pin })
    expect(right.status).toBe(200)
    const { token } = (await right.json()) as { token: string }
    expect(await kit.app.verifier.verify(token)).toMatchObject({ phoneNumber: MOBILE_HR })
  })

  it('rapid verifies on one pinId (1/3s): 10 at one instant → 1 evaluated, 9 × 429 with Retry-After 3; the right PIN passes once the window ends', async () => {
    const kit = makeKit({ verifyPinLimit: '1/3s' })
    const { pinId, pin } = await kit.startVerification()
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })),
    )
    expect(tally(await Promise.all(burst.map(verifyOutcome)))).toStrictEqual({
      '422 WRONG_PIN': 1,
      '429 RATE_LIMITED': 9,
    })
    const refused = burst.filter((response) => response.status === 429)
    expect(new Set(refused.map((response) => response.headers.get('Retry-After')))).toStrictEqual(
      new Set(['3']),
    )
    // A refused verify costs no attempt: 4 of 5 are left.
    expect((await kit.store.getPin(pinId))!.attemptsRemaining).toBe(4)

    kit.clock.advance(2_999)
    expect(await verifyOutcome(await kit.post(`/pin/${pinId}/verify`, { pin }))).toBe('429 RATE_LIMITED')
    kit.clock.advance(1)
    expect(await verifyOutcome(await kit.post(`/pin/${pinId}/verify`, { pin }))).toBe('200')
  })
})

describe('verify limit and attempt cap on test numbers', () => {
  const testNumbers = { '+15005550006': '123456' }

  async function sendToTestNumber(kit: ReturnType<typeof makeKit>): Promise<string> {
    const response = await kit.post('/pin', { phoneNumber: '+15005550006' })
    expect(response.status).toBe(201)
    return ((await response.json()) as { pinId: string }).pinId
  }

  it('rapid wrong guesses on a test number (1/3s): 20 at one instant → 1 evaluated, 19 × 429', async () => {
    const kit = makeKit({ testNumbers, verifyPinLimit: '1/3s' })
    const pinId = await sendToTestNumber(kit)
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => kit.post(`/pin/${pinId}/verify`, { pin: '000000' })),
    )
    expect(tally(await Promise.all(burst.map(verifyOutcome)))).toStrictEqual({
      '422 WRONG_PIN': 1,
      '429 RATE_LIMITED': 19,
    })
  })

  it('a test number keeps the attempt cap: after pinAttempts (5) wrong guesses, a window apart, its fixed PIN is refused (PIN_NOT_FOUND) and the record locked', async () => {
    const kit = makeKit({ testNumbers, verifyPinLimit: '1/3s', pinAttempts: 5 })
    const pinId = await sendToTestNumber(kit)
    for (const remaining of [4, 3, 2, 1, 0]) {
      const response = await kit.post(`/pin/${pinId}/verify`, { pin: '000000' })
      expect(response.status).toBe(422)
      expect(await errorOf(response)).toMatchObject({ code: 'WRONG_PIN', attemptsRemaining: remaining })
      kit.clock.advance(3_000)
    }
    const right = await kit.post(`/pin/${pinId}/verify`, { pin: '123456' })
    expect(right.status).toBe(404)
    expect((await errorOf(right)).code).toBe('PIN_NOT_FOUND')
    expect((await kit.store.getPin(pinId))?.lifecycle).toBe('LOCKED')
  })

  it('a test number’s sends cost nothing, so its limit holds per number: 10 pinIds guessed at one instant (1/3s) → 1 evaluated, 9 × 429', async () => {
    const kit = makeKit({ testNumbers, verifyPinLimit: '1/3s' })
    const pinIds: string[] = []
    for (let i = 0; i < 10; i++) pinIds.push(await sendToTestNumber(kit))
    const burst = await Promise.all(
      pinIds.map((pinId) => kit.post(`/pin/${pinId}/verify`, { pin: '000000' })),
    )
    expect(tally(await Promise.all(burst.map(verifyOutcome)))).toStrictEqual({
      '422 WRONG_PIN': 1,
      '429 RATE_LIMITED': 9,
    })
  })
})
