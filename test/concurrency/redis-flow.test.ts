/**
 * The kit's security invariants on a real redis-server, under concurrency and when Redis goes away:
 * the same flows as the memory-store security suites, with every check-and-act going through Lua in
 * Redis.
 */
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { redisStore } from '../../server/stores/redis.js'
import { errorOf, makeKit } from '../helpers/kit.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'
import { useRedisServer } from '../helpers/redis-server.js'

const redis = useRedisServer()

const kitOnRedis = (overrides: Parameters<typeof makeKit>[0] = {}) =>
  makeKit({
    store: redisStore({ client: redis.client, prefix: `tfk-flow:${crypto.randomUUID()}:` }),
    ...overrides,
  })

const wrongPinFor = (pin: string) => (pin === '000000' ? '111111' : '000000')

async function untilRedisAnswers(): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      await redis.client.ping()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

describe('the kit on Redis under concurrency', () => {
  it('200 concurrent wrong PINs on one pinId → exactly pinAttempts evaluated', async () => {
    const kit = kitOnRedis({ pinAttempts: 5 })
    const { pinId, pin } = await kit.startVerification()
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })),
    )
    const codes = await Promise.all(responses.map(async (response) => (await errorOf(response)).code))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'PIN_NOT_FOUND')).toHaveLength(195)
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin }))).code).toBe('PIN_NOT_FOUND')
  })

  it('20 concurrent right PINs → exactly one token', async () => {
    const kit = kitOnRedis()
    const { pinId, pin } = await kit.startVerification()
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => kit.post(`/pin/${pinId}/verify`, { pin })),
    )
    const winners = responses.filter((response) => response.status === 200)
    expect(winners).toHaveLength(1)
    const { token } = (await winners[0]!.json()) as { token: string }
    expect(await kit.app.verifier.verify(token)).toMatchObject({ phoneNumber: '+385911234567' })
  })

  it('20 wrong PINs on an attacker’s pinId at one instant (1/3s → 1 evaluated, 19 × 429) do not refuse the victim’s right PIN on their own pinId to the same number', async () => {
    const kit = kitOnRedis({ verifyPinLimit: '1/3s', resendCooldown: '30s' })
    const attacker = await kit.startVerification('+385911234567')
    kit.clock.advance(30_000)
    const victim = await kit.startVerification('+385911234567')
    const hammering = await Promise.all(
      Array.from({ length: 20 }, () =>
        kit.post(`/pin/${attacker.pinId}/verify`, { pin: wrongPinFor(attacker.pin) }),
      ),
    )
    const codes = await Promise.all(hammering.map(async (response) => (await errorOf(response)).code))
    expect(tally(codes)).toStrictEqual({ WRONG_PIN: 1, RATE_LIMITED: 19 })
    const right = await kit.post(`/pin/${victim.pinId}/verify`, { pin: victim.pin })
    expect(right.status).toBe(200)
    const { token } = (await right.json()) as { token: string }
    expect(await kit.app.verifier.verify(token)).toMatchObject({ phoneNumber: '+385911234567' })
  })

  it('rapid verifies on one pinId (1/3s): 10 at one instant → 1 evaluated, 9 × 429', async () => {
    const kit = kitOnRedis({ verifyPinLimit: '1/3s' })
    const { pinId, pin } = await kit.startVerification()
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => kit.post(`/pin/${pinId}/verify`, { pin: wrongPinFor(pin) })),
    )
    const codes = await Promise.all(burst.map(async (response) => (await errorOf(response)).code))
    expect(tally(codes)).toStrictEqual({ WRONG_PIN: 1, RATE_LIMITED: 9 })
    kit.clock.advance(3_000)
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
  })

  it('a test number (free sends) is limited per number (1/3s): 10 pinIds guessed at one instant → 1 evaluated, 9 × 429; its attempt cap holds', async () => {
    const kit = kitOnRedis({
      testNumbers: { '+15005550006': '123456' },
      verifyPinLimit: '1/3s',
      pinAttempts: 5,
    })
    const pinIds: string[] = []
    for (let i = 0; i < 10; i++) {
      const response = await kit.post('/pin', { phoneNumber: '+15005550006' })
      pinIds.push(((await response.json()) as { pinId: string }).pinId)
    }
    const burst = await Promise.all(
      pinIds.map((pinId) => kit.post(`/pin/${pinId}/verify`, { pin: '000000' })),
    )
    const codes = await Promise.all(burst.map(async (response) => (await errorOf(response)).code))
    expect(tally(codes)).toStrictEqual({ WRONG_PIN: 1, RATE_LIMITED: 9 })

    const pinId = pinIds[0]!
    for (let i = 0; i < 5; i++) {
      kit.clock.advance(3_000)
      await kit.post(`/pin/${pinId}/verify`, { pin: '000000' })
    }
    kit.clock.advance(3_000)
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin: '123456' }))).code).toBe(
      'PIN_NOT_FOUND',
    )
  })

  it('200 concurrent sends to one number at one instant → exactly one SMS; the cooldown refuses the other 199', async () => {
    const kit = kitOnRedis({ sendPinPerPhoneNumberLimit: '3/1d', resendCooldown: '30s' })
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post('/pin', { phoneNumber: '+385911234567' })),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 1,
      '429 resendCooldown': 199,
    })
    expect(kit.sms.outbox).toHaveLength(1)
    const refused = responses.filter((response) => response.status === 429)
    expect(new Set(refused.map((response) => response.headers.get('Retry-After')))).toStrictEqual(
      new Set(['30']),
    )
  })

  it('200 concurrent sends to one number, each past the cooldown → exactly 3 SMS; the per-number limit (3/1d) refuses 197', async () => {
    // A fixed cooldown (no backoff), so that only the per-number limit counts.
    const kit = kitOnRedis({
      sendPinPerPhoneNumberLimit: '3/1d',
      resendCooldown: '30s',
      maxResendCooldown: '30s',
    })
    // Each request reads its own instant, more than a cooldown after the one before it (the flow's
    // clock decides whether a window has ended, not Redis' TTL): only the per-number bucket, one
    // window of a day for the whole burst, can hold the burst back.
    kit.clock.tickOnEveryRead(30_001)
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post('/pin', { phoneNumber: '+385911234567' })),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 3,
      '429 sendPinPerPhoneNumber': 197,
    })
    expect(kit.sms.outbox).toHaveLength(3)
    const refused = responses.filter((response) => response.status === 429)
    expect(refused.every((response) => /^\d+$/.test(response.headers.get('Retry-After') ?? ''))).toBe(true)
  })
})

describe('the kit when Redis stops in the middle of a flow', () => {
  it('answers 503 STORE_UNAVAILABLE, issues no token, and works again when Redis is back', async () => {
    const kit = kitOnRedis()
    const { pinId, pin } = await kit.startVerification()

    await redis.server.stop()
    const verify = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(verify.status).toBe(503)
    expect(verify.headers.get('Retry-After')).toBeTruthy()
    expect((await errorOf(verify)).code).toBe('STORE_UNAVAILABLE')
    const send = await kit.post('/pin', { phoneNumber: '+385917654321' })
    expect(send.status).toBe(503)
    expect((await errorOf(send)).code).toBe('STORE_UNAVAILABLE')
    expect(kit.sms.outbox).toHaveLength(1) // no SMS went out while the store was down
    expect(kit.logs.some((line) => line.includes('store unavailable'))).toBe(true)

    await redis.server.start()
    await untilRedisAnswers()
    // The restarted Redis kept nothing (no persistence): the old PIN is gone, a new flow works.
    expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin }))).code).toBe('PIN_NOT_FOUND')
    const again = await kit.startVerification('+385917654321')
    const verified = await kit.post(`/pin/${again.pinId}/verify`, { pin: again.pin })
    expect(verified.status).toBe(200)
  })

  it('never turns a store failure into a success: the StoreError reaches the flow', async () => {
    const store = redisStore({ client: redis.client, prefix: 'tfk-flow-fault:' })
    await redis.server.stop()
    await expect(store.consumeAttempt('any', Date.now(), { singleUse: true })).rejects.toBeInstanceOf(
      StoreError,
    )
    await redis.server.start()
    await untilRedisAnswers()
  })
})
