import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startInfobipFake, type InfobipFake } from '../../test/fakes/infobip.js'
import { startTwilioFake, type TwilioFake } from '../../test/fakes/twilio.js'
import { ConfigurationError } from '../core/errors.js'
import { sendWithFailover } from '../providers/failover.js'
import { providersFromEnv } from './env-providers.js'

const INFOBIP = { INFOBIP_BASE_URL: 'https://xyz123.api.infobip.com', INFOBIP_API_KEY: 'key' }
const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'token',
  TWILIO_FROM: '+15005550006',
}
const VONAGE = { VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 'secret', VONAGE_FROM: 'Acme' }

function configurationError(env: Record<string, string | undefined>): ConfigurationError {
  try {
    providersFromEnv(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    return error as ConfigurationError
  }
  throw new Error('expected a configuration error')
}

describe('providersFromEnv', () => {
  it('defaults to the console provider and no lookup', () => {
    const { sms, lookup } = providersFromEnv({})
    expect(sms.map((provider) => provider.name)).toEqual(['console'])
    expect(lookup).toBeNull()
  })

  it('builds a failover list in the given order', () => {
    const { sms } = providersFromEnv({
      SMS_PROVIDER: ' Infobip, twilio ,vonage',
      ...INFOBIP,
      ...TWILIO,
      ...VONAGE,
    })
    expect(sms.map((provider) => provider.name)).toEqual(['infobip', 'twilio', 'vonage'])
  })

  it('reuses the SMS instance for lookups, and builds a lookup-only one when needed', () => {
    const same = providersFromEnv({ SMS_PROVIDER: 'infobip', NUMBER_LOOKUP: 'infobip', ...INFOBIP })
    expect(same.lookup).toBe(same.sms[0])
    const other = providersFromEnv({
      SMS_PROVIDER: 'infobip',
      NUMBER_LOOKUP: 'twilio',
      ...INFOBIP,
      ...TWILIO,
    })
    expect(other.lookup?.name).toBe('twilio')
    expect(other.sms.map((provider) => provider.name)).toEqual(['infobip'])
    expect(providersFromEnv({ NUMBER_LOOKUP: 'off' }).lookup).toBeNull()
  })

  it('names the missing variable', () => {
    expect(
      configurationError({ SMS_PROVIDER: 'infobip', INFOBIP_BASE_URL: INFOBIP.INFOBIP_BASE_URL }).message,
    ).toMatch(/^INFOBIP_API_KEY is not set/)
    expect(configurationError({ SMS_PROVIDER: 'twilio', ...TWILIO, TWILIO_AUTH_TOKEN: ' ' }).message).toMatch(
      /^TWILIO_AUTH_TOKEN/,
    )
    expect(configurationError({ SMS_PROVIDER: 'twilio', ...TWILIO, TWILIO_FROM: undefined }).message).toMatch(
      /TWILIO_FROM .* or TWILIO_MESSAGING_SERVICE_SID/,
    )
    expect(configurationError({ SMS_PROVIDER: 'vonage', ...VONAGE, VONAGE_FROM: '' }).message).toMatch(
      /^VONAGE_FROM/,
    )
    expect(configurationError({ NUMBER_LOOKUP: 'twilio' }).message).toMatch(/^TWILIO_ACCOUNT_SID/)
  })

  it('refuses unknown or repeated provider names, and bad values with the variables to check', () => {
    expect(configurationError({ SMS_PROVIDER: 'infobip,sinch', ...INFOBIP }).message).toMatch(
      /SMS_PROVIDER must be console, infobip/,
    )
    expect(configurationError({ SMS_PROVIDER: 'infobip,infobip', ...INFOBIP }).message).toMatch(
      /names a provider twice/,
    )
    expect(configurationError({ NUMBER_LOOKUP: 'vonage' }).message).toMatch(
      /NUMBER_LOOKUP must be one of off, infobip, twilio/,
    )
    expect(
      configurationError({ SMS_PROVIDER: 'infobip', ...INFOBIP, INFOBIP_BASE_URL: 'xyz.api.infobip.com' })
        .message,
    ).toMatch(/absolute URL.*INFOBIP_\*/)
    expect(
      configurationError({ SMS_PROVIDER: 'twilio', ...TWILIO, TWILIO_ACCOUNT_SID: 'nope' }).message,
    ).toMatch(/TWILIO_\*/)
  })

  describe('against the fakes, by environment variables alone', () => {
    let infobip: InfobipFake
    let twilio: TwilioFake
    beforeEach(async () => {
      ;[infobip, twilio] = await Promise.all([startInfobipFake(), startTwilioFake()])
    })
    afterEach(async () => {
      await Promise.all([infobip.close(), twilio.close()])
    })

    it('sends through Infobip and fails over to Twilio', async () => {
      const { sms, lookup } = providersFromEnv({
        SMS_PROVIDER: 'infobip,twilio',
        NUMBER_LOOKUP: 'twilio',
        INFOBIP_BASE_URL: infobip.url,
        INFOBIP_API_KEY: infobip.apiKey,
        INFOBIP_SENDER: 'AcmeAuth',
        INFOBIP_DELIVERY_REPORT_SECRET: 'report-secret-0123456789abcdef',
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.url,
        TWILIO_LOOKUP_BASE_URL: twilio.url,
      })
      const message = { to: '+41793026727', text: 'code 482913', reference: 'pin-env-1' }
      await expect(sendWithFailover(sms, message, { retryDelayMs: 1 })).resolves.toMatchObject({
        result: { provider: 'infobip' },
      })
      expect(infobip.messages[0]).toMatchObject({ to: '41793026727', sender: 'AcmeAuth' })
      infobip.failNext('send', 'server-error', 2)
      await expect(
        sendWithFailover(sms, { ...message, reference: 'pin-env-2' }, { retryDelayMs: 1 }),
      ).resolves.toMatchObject({
        result: { provider: 'twilio' },
      })
      await expect(lookup!.lookup!('+14155550100')).resolves.toMatchObject({ lineType: 'mobile' })
    })
  })
})
