// Checklist 8–10: per-number cooldown and cap, per-IP, per-prefix and application-wide limits,
// all taken before the provider is called; 200 concurrent sends never exceed the per-number cap.
import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../helpers/kit.js'

describe('send limits', () => {
  it('200 concurrent sends to one number → no more SMS than the per-number limit allows', async () => {
    const kit = makeKit({ sendPinPerPhoneNumberLimit: '3/1d', resendCooldown: '1ms' })
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.post('/pin', { phoneNumber: '+385911234567' })),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201).length).toBeLessThanOrEqual(3)
    expect(kit.sms.outbox.length).toBeLessThanOrEqual(3)
    expect(statuses.every((status) => status === 201 || status === 429)).toBe(true)
  })

  it('the cooldown stops a second SMS to one number, whichever way it is asked for', async () => {
    const kit = makeKit()
    await kit.startVerification()
    const again = await kit.post('/pin', { phoneNumber: '+385 91 123 4567' })
    expect(again.status).toBe(429)
    expect(await errorOf(again)).toMatchObject({ limit: 'resendCooldown', retryAfter: 30 })
    expect(kit.sms.outbox).toHaveLength(1)
  })

  it('per client IP, from the configured trusted source only', async () => {
    const kit = makeKit({ sendPinPerIpLimit: '2/1h', getClientIp: (c) => c.req.header('X-Test-Client-IP') })
    const from = (ip: string, phoneNumber: string) =>
      kit.post('/pin', { phoneNumber }, { 'X-Test-Client-IP': ip })
    expect((await from('203.0.113.7', '+385911111111')).status).toBe(201)
    expect((await from('203.0.113.7', '+385912222222')).status).toBe(201)
    const third = await from('203.0.113.7', '+385913333333')
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerIp' })
    expect((await from('198.51.100.1', '+385913333333')).status).toBe(201)
  })

  it('many numbers sharing a prefix are blocked after K', async () => {
    const kit = makeKit({ sendPinPerPrefixLimit: '3/1h' })
    const numbers = ['+385911234501', '+385911234502', '+385911234503', '+385911234504']
    const statuses = []
    for (const phoneNumber of numbers) statuses.push((await kit.post('/pin', { phoneNumber })).status)
    expect(statuses).toEqual([201, 201, 201, 429])
    expect((await kit.post('/pin', { phoneNumber: '+385981234505' })).status).toBe(201)
  })

  it('the application-wide cap trips', async () => {
    const kit = makeKit({ sendPinPerApplicationLimit: '2/1d' })
    expect((await kit.post('/pin', { phoneNumber: '+385911234567' })).status).toBe(201)
    expect((await kit.post('/pin', { phoneNumber: '+4915112345678' })).status).toBe(201)
    const third = await kit.post('/pin', { phoneNumber: '+33612345678' })
    expect(await errorOf(third)).toMatchObject({ code: 'RATE_LIMITED', limit: 'sendPinPerApplication' })
    expect(kit.sms.outbox).toHaveLength(2)
  })

  it('a refused send gives back the buckets it took', async () => {
    const kit = makeKit({ sendPinPerApplicationLimit: '1/1d', sendPinPerPhoneNumberLimit: '1/1d' })
    expect((await kit.post('/pin', { phoneNumber: '+385911234567' })).status).toBe(201)
    // Refused by the application cap: the second number's own budget must stay untouched.
    expect((await kit.post('/pin', { phoneNumber: '+385921234567' })).status).toBe(429)
    const numberBucket = await kit.store.hit('send:number:+385921234567', 1, 86_400_000, kit.clock.now(), 0)
    expect(numberBucket.count).toBe(0)
  })
})
