/**
 * SMS and lookup providers from environment variables, for the Node server and the demo:
 *
 *   SMS_PROVIDER     console | infobip | twilio | vonage, or a comma list for failover order
 *                    (e.g. "infobip,twilio"); default console in development, required in
 *                    production (console there also needs TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION=true)
 *   NUMBER_LOOKUP    off | infobip | twilio; default off
 *   INFOBIP_BASE_URL, INFOBIP_API_KEY, INFOBIP_SENDER?, INFOBIP_DELIVERY_REPORT_SECRET?
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID,
 *   TWILIO_BASE_URL?, TWILIO_LOOKUP_BASE_URL?
 *   VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_FROM, VONAGE_BASE_URL?,
 *   VONAGE_SIGNATURE_SECRET? + VONAGE_SIGNATURE_METHOD? (sha1hmac | sha256hmac | sha512hmac),
 *   VONAGE_DELIVERY_REPORT_SECRET?
 *
 * A provider named in both lists is one instance. Mistakes fail at start-up naming the variable.
 */
import { ConfigurationError } from '../core/errors.js'
import type { SmsProvider } from '../providers/types.js'
import { consoleProvider } from '../providers/console.js'
import { infobipProvider } from '../providers/infobip.js'
import { twilioProvider } from '../providers/twilio.js'
import { vonageProvider, type VonageSignatureMethod } from '../providers/vonage.js'

export type Env = Record<string, string | undefined>

const SMS_PROVIDERS = ['console', 'infobip', 'twilio', 'vonage'] as const
const LOOKUP_PROVIDERS = ['off', 'infobip', 'twilio'] as const
type ProviderName = (typeof SMS_PROVIDERS)[number]

export function providersFromEnv(
  env: Env,
  production = false,
): { sms: SmsProvider[]; lookup: SmsProvider | null } {
  // Unset in production, the console provider is made and twoFactor() refuses it, naming SMS_PROVIDER.
  const smsNames = parseList(env, 'SMS_PROVIDER', 'console')
  const lookupName = (read(env, 'NUMBER_LOOKUP') ?? 'off').toLowerCase()
  if (!(LOOKUP_PROVIDERS as readonly string[]).includes(lookupName)) {
    throw new ConfigurationError(
      `NUMBER_LOOKUP must be one of ${LOOKUP_PROVIDERS.join(', ')}, got "${lookupName}"`,
    )
  }
  const built = new Map<ProviderName, SmsProvider>()
  const provider = (name: ProviderName): SmsProvider => {
    let instance = built.get(name)
    if (!instance) {
      instance = build(name, env, production)
      built.set(name, instance)
    }
    return instance
  }
  const sms = smsNames.map(provider)
  const lookup = lookupName === 'off' ? null : provider(lookupName as ProviderName)
  return { sms, lookup }
}

function build(name: ProviderName, env: Env, production: boolean): SmsProvider {
  // Adapter option errors say which option is wrong; say which variable that is.
  const withVariables = <T>(prefix: string, create: () => T): T => {
    try {
      return create()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new ConfigurationError(`${message} (check the ${prefix}_* environment variables)`, {
        cause: error,
      })
    }
  }
  switch (name) {
    case 'console':
      // Production refuses it unless TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION, and never prints a PIN.
      return consoleProvider({ maskPins: production })
    case 'infobip': {
      const baseUrl = required(
        env,
        'INFOBIP_BASE_URL',
        'your account base URL, e.g. https://xyz123.api.infobip.com',
      )
      const apiKey = required(env, 'INFOBIP_API_KEY', 'an API key from the Infobip portal')
      return withVariables('INFOBIP', () =>
        infobipProvider({
          baseUrl,
          apiKey,
          sender: read(env, 'INFOBIP_SENDER'),
          deliveryReportSecret: read(env, 'INFOBIP_DELIVERY_REPORT_SECRET'),
        }),
      )
    }
    case 'twilio': {
      const accountSid = required(env, 'TWILIO_ACCOUNT_SID', 'the Account SID from the Twilio console')
      const authToken = required(env, 'TWILIO_AUTH_TOKEN', 'the Auth Token from the Twilio console')
      const from = read(env, 'TWILIO_FROM')
      const messagingServiceSid = read(env, 'TWILIO_MESSAGING_SERVICE_SID')
      if (!from && !messagingServiceSid) {
        throw new ConfigurationError(
          'SMS_PROVIDER includes twilio: set TWILIO_FROM (a Twilio number or sender id) or TWILIO_MESSAGING_SERVICE_SID',
        )
      }
      return withVariables('TWILIO', () =>
        twilioProvider({
          accountSid,
          authToken,
          from,
          messagingServiceSid,
          baseUrl: read(env, 'TWILIO_BASE_URL'),
          lookupBaseUrl: read(env, 'TWILIO_LOOKUP_BASE_URL'),
        }),
      )
    }
    case 'vonage': {
      const apiKey = required(env, 'VONAGE_API_KEY', 'the API key from the Vonage dashboard')
      const apiSecret = required(env, 'VONAGE_API_SECRET', 'the API secret from the Vonage dashboard')
      const from = required(env, 'VONAGE_FROM', 'the sender name or number')
      return withVariables('VONAGE', () =>
        vonageProvider({
          apiKey,
          apiSecret,
          from,
          baseUrl: read(env, 'VONAGE_BASE_URL'),
          signatureSecret: read(env, 'VONAGE_SIGNATURE_SECRET'),
          signatureMethod: read(env, 'VONAGE_SIGNATURE_METHOD') as VonageSignatureMethod | undefined,
          deliveryReportSecret: read(env, 'VONAGE_DELIVERY_REPORT_SECRET'),
        }),
      )
    }
  }
}

function parseList(env: Env, variable: string, fallback: ProviderName): ProviderName[] {
  const raw = read(env, variable) ?? fallback
  const names = raw.split(',').map((name) => name.trim().toLowerCase())
  for (const name of names) {
    if (!(SMS_PROVIDERS as readonly string[]).includes(name)) {
      throw new ConfigurationError(
        `${variable} must be ${SMS_PROVIDERS.join(', ')} or a comma list of them, got "${raw}"`,
      )
    }
  }
  if (new Set(names).size !== names.length) {
    throw new ConfigurationError(`${variable} names a provider twice: "${raw}"`)
  }
  return names as ProviderName[]
}

/** A set, non-blank variable, trimmed; blank counts as unset. */
function read(env: Env, variable: string): string | undefined {
  const value = env[variable]?.trim()
  return value ? value : undefined
}

function required(env: Env, variable: string, what: string): string {
  const value = read(env, variable)
  if (!value) throw new ConfigurationError(`${variable} is not set: it needs ${what}`)
  return value
}
