import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startInfobipFake, type InfobipFake } from '../../test/fakes/infobip.js'
import { startTwilioFake, type TwilioFake } from '../../test/fakes/twilio.js'
import { StoreError, TwoFactorError } from './errors.js'
import { createLookupGate, type LookupGateOptions } from './lookup.js'
import { sendWithFailover } from '../providers/failover.js'
import { infobipProvider } from '../providers/infobip.js'
import { twilioProvider } from '../providers/twilio.js'
import type { SmsProvider } from '../providers/types.js'
import type { TwoFactorStore } from '../stores/types.js'
import { memoryStore } from '../stores/memory.js'

const NOW = Date.now()
const HOUR = 3_600_000

async function refusal(promise: Promise<unknown>): Promise<TwoFactorError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(TwoFactorError)
    return error as TwoFactorError
  }
  throw new Error('expected the check to refuse')
}

describe('createLookupGate with Infobip Number Lookup', () => {
  let fake: InfobipFake
  let provider: SmsProvider
  let store: TwoFactorStore
  const gate = (options: Partial<LookupGateOptions> = {}) =>
    createLookupGate({ provider, store, cacheTtlMs: 24 * HOUR, timeoutMs: 2000, ...options })

  beforeEach(async () => {
    fake = await startInfobipFake()
    provider = infobipProvider({ baseUrl: fake.url, apiKey: fake.apiKey })
    store = memoryStore()
  })
  afterEach(async () => {
    await fake.close()
  })

  it('lets a reachable mobile number through, with what the network said', async () => {
    await expect(gate().check('+41793026727', NOW)).resolves.toEqual({
      ncStatus: 'NC_DESTINATION_REACHABLE',
      lineType: 'mobile',
      network: { name: 'Swisscom', mcc: '228', mnc: '01' },
      ported: false,
      roaming: false,
      cached: false,
    })
    expect(fake.lookups).toEqual(['41793026727'])
  })

  it('reports roaming and porting', async () => {
    fake.numbers.set('41790000001', 'roaming')
    fake.numbers.set('41790000002', 'ported')
    await expect(gate().check('+41790000001', NOW)).resolves.toMatchObject({ roaming: true, ported: false })
    await expect(gate().check('+41790000002', NOW)).resolves.toMatchObject({
      ported: true,
      network: { name: 'Tele2', mcc: '240', mnc: '07' },
    })
  })

  it('answers a repeat from the cache, without paying for a second lookup', async () => {
    const lookupGate = gate()
    await lookupGate.check('+41793026727', NOW)
    await expect(lookupGate.check('+41793026727', NOW + HOUR)).resolves.toMatchObject({ cached: true })
    expect(fake.lookups).toHaveLength(1)
    // Past the cache time, the network is asked again.
    await expect(lookupGate.check('+41793026727', NOW + 25 * HOUR)).resolves.toMatchObject({ cached: false })
    expect(fake.lookups).toHaveLength(2)
  })

  it('shares one lookup between concurrent checks of the same number', async () => {
    const lookupGate = gate()
    const results = await Promise.all([1, 2, 3, 4].map(() => lookupGate.check('+41793026727', NOW)))
    expect(results.every((result) => result.ncStatus === 'NC_DESTINATION_REACHABLE')).toBe(true)
    expect(fake.lookups).toHaveLength(1)
  })

  it('refuses a number that does not exist, before any SMS is sent', async () => {
    fake.numbers.set('41790000000', 'unknown-subscriber')
    const lookupGate = gate()
    const sendPin = async (e164: string) => {
      await lookupGate.check(e164, NOW)
      return sendWithFailover([provider], { to: e164, text: 'code 123456', reference: 'pin-x-1' })
    }
    const error = await refusal(sendPin('+41790000000'))
    expect(error.code).toBe('NUMBER_NOT_REACHABLE')
    expect(error.details).toEqual({ ncStatus: 'NC_DESTINATION_NOT_REACHABLE' })
    expect(fake.messages).toHaveLength(0)
    expect(fake.requests.filter((request) => request.path === '/sms/3/messages')).toHaveLength(0)
    // The refusal is cached too: a second try costs nothing.
    await refusal(sendPin('+41790000000'))
    expect(fake.lookups).toHaveLength(1)
  })

  it('refuses an absent subscriber, but asks again after a few minutes', async () => {
    fake.numbers.set('41790000003', 'absent')
    const lookupGate = gate()
    expect((await refusal(lookupGate.check('+41790000003', NOW))).code).toBe('NUMBER_NOT_REACHABLE')
    await refusal(lookupGate.check('+41790000003', NOW + 60_000))
    expect(fake.lookups).toHaveLength(1)
    fake.numbers.set('41790000003', 'reachable')
    await expect(lookupGate.check('+41790000003', NOW + 6 * 60_000)).resolves.toMatchObject({
      ncStatus: 'NC_DESTINATION_REACHABLE',
    })
    expect(fake.lookups).toHaveLength(2)
  })

  it('fails closed by default when the lookup fails, and does not cache the failure', async () => {
    fake.failNext('lookup', 'server-error')
    const lookupGate = gate()
    const error = await refusal(lookupGate.check('+41793026727', NOW))
    expect(error.code).toBe('LOOKUP_FAILED')
    expect(error.status).toBe(503)
    await expect(lookupGate.check('+41793026727', NOW)).resolves.toMatchObject({ cached: false })
  })

  it('fails closed when the lookup hangs past its time budget', async () => {
    fake.failNext('lookup', 'hang')
    expect((await refusal(gate({ timeoutMs: 200 }).check('+41793026727', NOW))).code).toBe('LOOKUP_FAILED')
  })

  it('fails open when told to', async () => {
    fake.failNext('lookup', 'rate-limited')
    await expect(gate({ failurePolicy: 'open' }).check('+41793026727', NOW)).resolves.toEqual({
      ncStatus: 'NC_DESTINATION_UNKNOWN',
      cached: false,
    })
  })

  it('says NC_NOT_CONFIGURED and asks nobody when there is no lookup provider', async () => {
    await expect(createLookupGate({ provider: null, store }).check('+41793026727', NOW)).resolves.toEqual({
      ncStatus: 'NC_NOT_CONFIGURED',
      cached: false,
    })
    const withoutLookup = infobipProvider({ baseUrl: fake.url, apiKey: fake.apiKey, lookup: false })
    await expect(
      createLookupGate({ provider: withoutLookup, store }).check('+41793026727', NOW),
    ).resolves.toMatchObject({
      ncStatus: 'NC_NOT_CONFIGURED',
    })
    expect(fake.requests).toHaveLength(0)
  })

  it('lets a store failure through as it is (the flow answers STORE_UNAVAILABLE)', async () => {
    const broken: TwoFactorStore = {
      ...store,
      getCached: async () => {
        throw new StoreError('redis is down')
      },
    }
    await expect(gate({ store: broken }).check('+41793026727', NOW)).rejects.toBeInstanceOf(StoreError)
  })

  it('ignores a cache entry it cannot read', async () => {
    await store.setCached('lookup:infobip:+41793026727', '{not json', HOUR, NOW)
    await expect(gate().check('+41793026727', NOW)).resolves.toMatchObject({ cached: false })
  })

  it('refuses bad options with what to change', () => {
    expect(() => gate({ failurePolicy: 'maybe' as never })).toThrow(
      /"failurePolicy" must be 'closed' or 'open'/,
    )
    expect(() => gate({ cacheTtlMs: -1 })).toThrow(/cacheTtlMs/)
    expect(() => gate({ timeoutMs: 0 })).toThrow(/timeoutMs/)
  })
})

describe('createLookupGate with Twilio line type intelligence', () => {
  let fake: TwilioFake
  let provider: SmsProvider
  const store = memoryStore()

  beforeEach(async () => {
    fake = await startTwilioFake()
    provider = twilioProvider({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: '+15005550006',
      baseUrl: fake.url,
      lookupBaseUrl: fake.url,
    })
  })
  afterEach(async () => {
    await fake.close()
  })

  it('lets a mobile through as NC_DESTINATION_UNKNOWN: line type says nothing about the handset being on', async () => {
    await expect(createLookupGate({ provider, store }).check('+14155550100', NOW)).resolves.toMatchObject({
      ncStatus: 'NC_DESTINATION_UNKNOWN',
      lineType: 'mobile',
      network: { name: 'Example Wireless', mcc: '310', mnc: '260' },
    })
    expect(fake.lookups).toEqual(['+14155550100'])
  })

  it('refuses a landline with NUMBER_TYPE_NOT_ALLOWED and the line type', async () => {
    fake.numbers.set('+14155550101', 'landline')
    const error = await refusal(createLookupGate({ provider, store }).check('+14155550101', NOW))
    expect(error.code).toBe('NUMBER_TYPE_NOT_ALLOWED')
    expect(error.details).toMatchObject({ numberType: 'landline' })
  })

  it('allows what allowedLineTypes allows', async () => {
    fake.numbers.set('+14155550102', 'nonFixedVoip')
    const gate = createLookupGate({ provider, store, allowedLineTypes: ['mobile', 'voip'] })
    await expect(gate.check('+14155550102', NOW)).resolves.toMatchObject({ lineType: 'voip' })
    await expect(
      createLookupGate({ provider, store, allowedLineTypes: null }).check('+14155550103', NOW),
    ).resolves.toBeTruthy()
  })

  it('refuses an invalid number with NUMBER_NOT_REACHABLE', async () => {
    fake.numbers.set('+14155550104', 'invalid')
    expect((await refusal(createLookupGate({ provider, store }).check('+14155550104', NOW))).code).toBe(
      'NUMBER_NOT_REACHABLE',
    )
  })
})
