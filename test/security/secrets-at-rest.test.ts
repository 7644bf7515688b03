// A dump of the store or the logs gives no PIN away: the store holds only HMAC(secret, pinId ‖ PIN),
// and the PIN is in no log line except the SMS itself.
import { describe, expect, it } from 'vitest'
import { consoleProvider } from '../../server/index.js'
import { makeKit } from '../helpers/kit.js'

describe('PIN never at rest', () => {
  it('appears nowhere in the store dump or the logs (only in the SMS the provider printed)', async () => {
    const printed: string[] = []
    const sms = consoleProvider({ print: (line) => printed.push(line) })
    const kit = makeKit({ sms, pinLength: 8 })
    const response = await kit.post('/pin', { phoneNumber: '+385911234567' })
    const { pinId } = (await response.json()) as { pinId: string }
    const pin = sms.outbox.at(-1)!.text.split(' ')[0]!
    expect(pin).toMatch(/^\d{8}$/)
    await kit.post(`/pin/${pinId}/verify`, { pin: pin === '00000000' ? '11111111' : '00000000' })
    kit.clock.advance(1_000)

    const record = await kit.store.getPin(pinId)
    const dump = JSON.stringify(record)
    expect(dump).not.toContain(pin)
    expect(record!.pinMac).toMatch(/^[A-Za-z0-9_-]{43}$/)
    for (const line of kit.logs) expect(line).not.toContain(pin)
    expect(printed).toHaveLength(1)
    expect(printed[0]).toContain(pin)

    const verified = await kit.post(`/pin/${pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
    expect(JSON.stringify(await kit.store.getPin(pinId))).not.toContain(pin)
    for (const line of kit.logs) expect(line).not.toContain(pin)
  })

  it('GET /pin/:pinId shows the state without secrets', async () => {
    const kit = makeKit()
    const { pinId, pin } = await kit.startVerification()
    const body = await (await kit.get(`/pin/${pinId}`)).text()
    expect(body).not.toContain(pin)
    expect(body).not.toContain('pinMac')
    expect(body).not.toContain('911234567')
  })
})
