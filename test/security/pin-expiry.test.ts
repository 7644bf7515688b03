// A PIN lives 10 minutes by default, so an SMS read later by someone else is worth nothing; past that
// it is refused and nothing verifiable is left.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../helpers/kit.js'

describe('PIN lifetime', () => {
  it('is 10 minutes by default', async () => {
    const kit = makeKit()
    const answer = await kit.startVerification()
    expect(Date.parse(answer.expiresAt as string) - kit.clock.now()).toBe(10 * 60_000)
  })

  it('past its TTL the right PIN is refused as an unknown pinId would be (verify, resend, GET), and the record loses its MAC', async () => {
    const kit = makeKit({ pinTimeToLive: '2m' })
    const { pinId, pin } = await kit.startVerification()
    kit.clock.advance(2 * 60_000 - 1)
    const stillValid = await kit.get(`/pin/${pinId}`)
    expect(((await stillValid.json()) as { status: string }).status).toBe('DELIVERED')
    kit.clock.advance(1)
    const late = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(late.status).toBe(404)
    expect((await errorOf(late)).code).toBe('PIN_NOT_FOUND')
    expect((await kit.store.getPin(pinId))?.pinMac).toBe('')
    expect((await errorOf(await kit.get(`/pin/${pinId}`))).code).toBe('PIN_NOT_FOUND')
    expect((await errorOf(await kit.post(`/pin/${pinId}/resend`))).code).toBe('PIN_NOT_FOUND')
  })

  it('after its retention the record is gone from the store', async () => {
    const kit = makeKit({ pinTimeToLive: '1m' })
    const { pinId, pin } = await kit.startVerification()
    kit.clock.advance(2 * 60_000)
    expect(await kit.store.getPin(pinId)).toBeNull()
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin }))).code).toBe('PIN_NOT_FOUND')
  })
})
