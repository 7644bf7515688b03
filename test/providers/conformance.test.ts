/**
 * Runs the shared conformance suite against each adapter, each against its own local fake.
 */
import { infobipProvider } from '../../server/providers/infobip.js'
import { twilioProvider } from '../../server/providers/twilio.js'
import { vonageProvider } from '../../server/providers/vonage.js'
import { startInfobipFake } from '../fakes/infobip.js'
import { signTwilioRequest, startTwilioFake } from '../fakes/twilio.js'
import { startVonageFake } from '../fakes/vonage.js'
import { testProvider } from './conformance.js'

const REPORT_SECRET = 'report-secret-0123456789abcdef'
const digits = (e164: string) => e164.replace(/^\+/, '')

testProvider('infobip', async () => {
  const fake = await startInfobipFake()
  return {
    fake,
    provider: (overrides = {}) =>
      infobipProvider({
        baseUrl: overrides.baseUrl ?? fake.url,
        apiKey: overrides.wrongCredentials ? 'not-the-key' : fake.apiKey,
        sender: 'AcmeAuth',
        deliveryReportSecret: overrides.withoutReportSecret ? undefined : REPORT_SECRET,
      }),
    recipient: digits,
    lastMessageId: () => fake.messages.at(-1)!.messageId,
    malformedDeliveryReport: (url) =>
      new Request(`${url}?token=${REPORT_SECRET}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ results: [{ to: '41793026727' }] }),
      }),
    makeInvalid: (e164) => fake.numbers.set(digits(e164), 'unknown-subscriber'),
    close: fake.close,
  }
})

testProvider('twilio', async () => {
  const fake = await startTwilioFake()
  return {
    fake,
    provider: (overrides = {}) =>
      twilioProvider({
        accountSid: fake.accountSid,
        authToken: overrides.wrongCredentials ? 'not-the-token' : fake.authToken,
        from: '+15005550006',
        baseUrl: overrides.baseUrl ?? fake.url,
        lookupBaseUrl: overrides.baseUrl ?? fake.url,
      }),
    recipient: (e164) => e164,
    lastMessageId: () => fake.messages.at(-1)!.sid,
    malformedDeliveryReport: (url) => {
      const params = new URLSearchParams({ AccountSid: fake.accountSid, MessageStatus: 'delivered' })
      return new Request(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signTwilioRequest(fake.authToken, url, params),
        },
        body: params.toString(),
      })
    },
    makeInvalid: (e164) => fake.numbers.set(e164, 'invalid'),
    close: fake.close,
  }
})

testProvider('vonage', async () => {
  const fake = await startVonageFake()
  return {
    fake,
    provider: (overrides = {}) =>
      vonageProvider({
        apiKey: fake.apiKey,
        apiSecret: overrides.wrongCredentials ? 'notTheSecret' : fake.apiSecret,
        from: 'AcmeAuth',
        baseUrl: overrides.baseUrl ?? fake.url,
        insightBaseUrl: overrides.baseUrl ?? fake.url,
        lookup: 'standard',
        deliveryReportSecret: overrides.withoutReportSecret ? undefined : REPORT_SECRET,
      }),
    recipient: digits,
    lastMessageId: () => fake.messages.at(-1)!.messageId,
    malformedDeliveryReport: (url) =>
      new Request(`${url}?token=${REPORT_SECRET}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ msisdn: '41793026727', status: 'delivered' }),
      }),
    close: fake.close,
  }
})
