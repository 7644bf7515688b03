import { describe, expect, it } from 'vitest'
import { errorOf, makeKit } from '../../test/helpers/kit.js'
import { clientIpBucket } from './client-ip.js'

describe('clientIpBucket', () => {
  it('gives every spelling of one IPv6 address, and every address of its /64, one bucket', () => {
    const spellings = [
      '2001:db8:85a3:0:0:8a2e:370:7334',
      '2001:0DB8:85A3:0000:0000:8A2E:0370:7334',
      '2001:db8:85a3::8a2e:370:7334',
      '2001:db8:85a3::1',
      '[2001:db8:85a3::ffff]',
      '2001:db8:85a3::2%eth0',
    ]
    expect(new Set(spellings.map(clientIpBucket))).toEqual(new Set(['2001:db8:85a3:0::/64']))
    expect(clientIpBucket('2001:db8:85a4::1')).toBe('2001:db8:85a4:0::/64')
  })

  it('keeps IPv4 addresses apart, and reads an IPv4-mapped IPv6 address as the IPv4 one', () => {
    expect(clientIpBucket('203.0.113.7')).toBe('203.0.113.7')
    expect(clientIpBucket('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(clientIpBucket('::FFFF:cb00:7107')).toBe('203.0.113.7')
    expect(clientIpBucket('203.0.113.8')).toBe('203.0.113.8')
    expect(clientIpBucket('::ffff:203.000.113.007')).toBe('203.0.113.7')
    expect(clientIpBucket('::ffff:203.0.113.256')).toBe('::ffff:203.0.113.256')
  })

  it('leaves what is not an address as it came, trimmed and lower-cased', () => {
    expect(clientIpBucket(' Unknown-Host ')).toBe('unknown-host')
    expect(clientIpBucket('1.2.3.256')).toBe('1.2.3.256')
    expect(clientIpBucket('1:2:3:4:5:6:7:8:9')).toBe('1:2:3:4:5:6:7:8:9')
  })
})

describe('the per-IP send limit', () => {
  it('counts one IPv6 /64 as one caller: three spellings and two more addresses of it share 2/1h', async () => {
    let ip = ''
    const kit = makeKit({ sendPinPerIpLimit: '2/1h', getClientIp: () => ip })
    const send = (address: string, phoneNumber: string) => {
      ip = address
      return kit.post('/pin', { phoneNumber })
    }
    expect((await send('2001:db8:85a3::8a2e:370:7334', '+385911111111')).status).toBe(201)
    expect((await send('2001:0DB8:85A3:0:0:8A2E:370:7334', '+385912222222')).status).toBe(201)
    for (const [address, phoneNumber] of [
      ['2001:db8:85a3:0:0:8a2e:0370:7334', '+385913333333'],
      ['2001:db8:85a3::1', '+385914444444'],
      ['2001:db8:85a3:0:ffff::9', '+385915555555'],
    ] as const) {
      expect(await errorOf(await send(address, phoneNumber))).toMatchObject({ limit: 'sendPinPerIp' })
    }
    expect((await send('2001:db8:85a4::1', '+385916666666')).status).toBe(201)
    expect(kit.sms.outbox).toHaveLength(3)
  })
})
