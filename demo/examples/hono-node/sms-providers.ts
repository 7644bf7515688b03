import { twoFactor } from 'two-factor-kit/server/node'
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

// The Node entry: secret, signing key, issuer, audience… from the environment, as in "Using it in
// your app"; the adapters below replace SMS_PROVIDER's choice.
export const kit = twoFactor(env, {
  sms: [infobip, twilio], // failover order
  lookup: infobip, // or twilio; null (the default) keeps to the offline checks
  lookupFailurePolicy: 'closed', // the default; providerTimeout '10s' and providerRetries 1 too
  deliveryReportUrl: 'https://shop.example/2fa/reports',
  allowedOrigins: ['https://shop.example'],
})
