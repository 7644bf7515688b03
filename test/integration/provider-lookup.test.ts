/**
 * Lookup gating through the kit's HTTP API: Infobip Number Lookup, Twilio Lookup v2 and Vonage Number
 * Insight fakes decide whether a PIN and an SMS may exist; their answers are cached, their failures
 * handled by the configured policy, and refused lookups can't be pumped.
 */
import { describe, expect, it } from 'vitest'
import { errorOf, MOBILE_HR } from '../helpers/kit.js'
import {
  DIGITS_HR,
  infobip,
  infobipSms,
  HANG_ONLY_PROVIDER_TIMEOUT,
  PROVIDER_TIMEOUT,
  servedKit,
  smsRequests,
  twilio,
  twilioSms,
  useProviderFakes,
  vonage,
  vonageSms,
} from './provider-kit.js'

useProviderFakes()

describe('lookup gating', () => {
  it.each([
    ['absent (unreachable)', 'absent', 'NUMBER_NOT_REACHABLE', 'NC_DESTINATION_NOT_REACHABLE'],
    [
      'unknown subscriber (invalid)',
      'unknown-subscriber',
      'NUMBER_NOT_REACHABLE',
      'NC_DESTINATION_NOT_REACHABLE',
    ],
  ] as const)('Infobip: refuses a number the network reports %s', async (_, state, code, ncStatus) => {
    const kit = await servedKit({ sms: infobipSms(), lookup: infobipSms() })
    infobip.numbers.set(DIGITS_HR, state)
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(422)
    expect(await errorOf(response)).toMatchObject({ code, ncStatus })
    expect(infobip.lookups).toEqual([DIGITS_HR])
    expect(infobip.messages).toEqual([])
    expect(smsRequests(infobip, /^\/sms\//)).toEqual([])
    expect(kit.created).toEqual([])
    expect(await kit.sendsCounted()).toBe(0)
  })

  it.each([
    ['invalid', 'invalid', 'NUMBER_NOT_REACHABLE', {}],
    ['VoIP', 'nonFixedVoip', 'NUMBER_TYPE_NOT_ALLOWED', { numberType: 'voip' }],
    ['landline', 'landline', 'NUMBER_TYPE_NOT_ALLOWED', { numberType: 'landline' }],
  ] as const)('Twilio: refuses a number Lookup v2 reports %s', async (_, type, code, details) => {
    // Twilio looks up, Infobip sends: the SMS provider must hear nothing.
    const kit = await servedKit({ sms: [infobipSms(), twilioSms()], lookup: twilioSms() })
    twilio.numbers.set(MOBILE_HR, type)
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    expect(response.status).toBe(422)
    expect(await errorOf(response)).toMatchObject({ code, ...details })
    expect(twilio.lookups).toEqual([MOBILE_HR])
    expect([...infobip.messages, ...twilio.messages]).toEqual([])
    expect(smsRequests(twilio, /Messages\.json$/)).toEqual([])
    expect(kit.created).toEqual([])
    expect(await kit.sendsCounted()).toBe(0)
  })

  it('passes a reachable number and reports what the network said', async () => {
    const kit = await servedKit({ sms: infobipSms(), lookup: infobipSms() })
    const answer = await kit.send()
    expect(answer.lookup).toMatchObject({
      valid: true,
      ncStatus: 'NC_DESTINATION_REACHABLE',
      lineType: 'mobile',
    })
    expect(infobip.messages).toHaveLength(1)
  })

  it('Vonage Number Insight (advanced) can gate sends too', async () => {
    const lookup = vonageSms({ lookup: 'advanced', insightBaseUrl: vonage.url })
    const kit = await servedKit({ sms: infobipSms(), lookup })
    const answer = await kit.send()
    expect(answer.lookup).toMatchObject({ ncStatus: 'NC_DESTINATION_REACHABLE', lineType: 'mobile' })
    expect(vonage.lookups).toEqual([DIGITS_HR])
    expect(infobip.messages).toHaveLength(1)
  })

  it('caches a lookup answer: a second attempt for the number pays no second lookup', async () => {
    const kit = await servedKit({ sms: infobipSms(), lookup: infobipSms() })
    await kit.send()
    kit.clock.advance(31_000)
    await kit.send()
    expect(infobip.lookups).toEqual([DIGITS_HR])
    expect(infobip.messages).toHaveLength(2)
  })

  it('caches a refusal too (Twilio VoIP): the second attempt is refused without a lookup', async () => {
    const kit = await servedKit({ sms: infobipSms(), lookup: twilioSms() })
    twilio.numbers.set(MOBILE_HR, 'nonFixedVoip')
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
      expect((await errorOf(response)).code).toBe('NUMBER_TYPE_NOT_ALLOWED')
    }
    expect(twilio.lookups).toHaveLength(1)
    expect(infobip.messages).toEqual([])
  })

  it('refused lookups still count against the per-IP limit: paid lookups cannot be pumped', async () => {
    const kit = await servedKit({
      sms: infobipSms(),
      lookup: infobipSms(),
      getClientIp: () => '203.0.113.7',
      sendPinPerIpLimit: '3/1h',
    })
    const numbers = ['+385911234561', '+385911234562', '+385911234563', '+385911234564', '+385911234565']
    for (const number of numbers) infobip.numbers.set(number.slice(1), 'unknown-subscriber')
    const codes: string[] = []
    for (const number of numbers)
      codes.push((await errorOf(await kit.post('/pin', { phoneNumber: number }))).code)
    expect(codes).toEqual([
      'NUMBER_NOT_REACHABLE',
      'NUMBER_NOT_REACHABLE',
      'NUMBER_NOT_REACHABLE',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ])
    expect(infobip.lookups).toHaveLength(3)
    // The refused numbers themselves keep their budget: no SMS went to them.
    expect(await kit.sendsCounted(numbers[0])).toBe(0)
  })

  it.each([
    ['Infobip 5xx', 'infobip', 'server-error'],
    ['Infobip hang past providerTimeout', 'infobip', 'hang'],
    ['Twilio 5xx', 'twilio', 'server-error'],
    ['Twilio malformed answer', 'twilio', 'malformed'],
  ] as const)(
    'fails closed by default when the lookup fails (%s): LOOKUP_FAILED 503',
    async (_, which, scenario) => {
      const lookup = which === 'infobip' ? infobipSms() : twilioSms()
      // Fail closed: the lookup is the only call, so when it hangs no answer has to fit the budget.
      const providerTimeout = scenario === 'hang' ? HANG_ONLY_PROVIDER_TIMEOUT : PROVIDER_TIMEOUT
      const kit = await servedKit({ sms: infobipSms(), lookup, providerTimeout })
      ;(which === 'infobip' ? infobip : twilio).failNext('lookup', scenario)
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
      expect(response.status).toBe(503)
      expect((await errorOf(response)).code).toBe('LOOKUP_FAILED')
      expect(infobip.messages).toEqual([])
      expect(kit.created).toEqual([])
      expect(await kit.sendsCounted()).toBe(0)
    },
  )

  it.each(['server-error', 'hang'] as const)(
    "sends unchecked with lookupFailurePolicy 'open' when the lookup fails (%s)",
    async (scenario) => {
      const kit = await servedKit({
        sms: infobipSms(),
        lookup: infobipSms(),
        lookupFailurePolicy: 'open',
        providerTimeout: PROVIDER_TIMEOUT,
      })
      infobip.failNext('lookup', scenario)
      const answer = await kit.send()
      expect(answer.lookup.ncStatus).toBe('NC_DESTINATION_UNKNOWN')
      expect(infobip.messages).toHaveLength(1)
      expect(infobip.messages[0]!.to).toBe(DIGITS_HR)
    },
  )
})
