// A PIN is single use, so a replayed or raced request gets no second token: of 20 concurrent right
// answers exactly one gets a token (the Parse Server CVE-2026-43930 shape).
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../helpers/kit.js'

describe('single use', () => {
  it('the right PIN twice: the second is refused', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    const again = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(again.status).toBe(404)
    expect((await errorOf(again)).code).toBe('PIN_NOT_FOUND')
  })

  it('20 concurrent right PINs → exactly one token', async () => {
    const kit = makeKit({ pinAttempts: 100 })
    const { pinId, pin } = await kit.startVerification()
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => kit.post(`/pin/${pinId}/verify`, { pin })),
    )
    const tokens = []
    for (const response of responses) {
      if (response.status === 200) tokens.push(((await response.json()) as { token: string }).token)
      else expect((await errorOf(response)).code).toBe('PIN_NOT_FOUND')
    }
    expect(tokens).toHaveLength(1)
  })

  it('allowMultiplePinVerifications: the same PIN verifies again while valid, each time a new token', async () => {
    const kit = makeKit({ allowMultiplePinVerifications: true })
    const { pinId, pin } = await kit.startVerification()
    const first = (await (await kit.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }
    const second = (await (await kit.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }
    expect(first.token).toBeTruthy()
    expect(second.token).toBeTruthy()
    expect(second.token).not.toBe(first.token)
  })

  it('a PIN is bound to its pinId: the PIN of A sent to B is refused', async () => {
    const kit = makeKit()
    const a = await kit.startVerification('+385911234567')
    const b = await kit.startVerification('+385921234567')
    const response = await kit.post(`/pin/${b.pinId}/verify`, { pin: a.pin === b.pin ? '000000' : a.pin })
    expect((await errorOf(response)).code).toBe('WRONG_PIN')
  })
})
