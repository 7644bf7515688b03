import { twoFactor } from 'two-factor-kit/server'
import { infobipProvider } from 'two-factor-kit/server/providers/infobip'
import { twilioProvider } from 'two-factor-kit/server/providers/twilio'

const env = process.env
const infobip = infobipProvider({
  baseUrl: env.INFOBIP_BASE_URL!,
  apiKey: env.INFOBIP_API_KEY!,
  // An optional setting that is unset is left out (under exactOptionalPropertyTypes, not `undefined`).
  ...(env.INFOBIP_DELIVERY_REPORT_SECRET ? { deliveryReportSecret: env.INFOBIP_DELIVERY_REPORT_SECRET } : {}),
})
const twilio = twilioProvider({
  accountSid: env.TWILIO_ACCOUNT_SID!,
  authToken: env.TWILIO_AUTH_TOKEN!,
  from: env.TWILIO_FROM!, // or messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID!
})

export const kit = twoFactor({
  // store, secret, signingKey, issuer, audience: as in "Using it in your app"
  sms: [infobip, twilio], // failover order
  lookup: infobip, // or twilio; null (the default) keeps to the offline checks
  lookupFailurePolicy: 'closed', // the default; providerTimeout '10s' and providerRetries 1 too
  deliveryReportUrl: 'https://shop.example/2fa/reports',
  allowedOrigins: ['https://shop.example'],
})
