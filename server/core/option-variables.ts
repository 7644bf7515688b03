/**
 * Which environment variable sets which option, on every runtime (README's configuration
 * reference). The env reader (runtime/env.ts) reads them; start-up errors name them, so that whoever
 * configures a deployment by variables learns which one to change.
 */
import { ConfigurationError } from './errors.js'

export const STRING_OPTION_VARIABLES = {
  secret: 'TWO_FACTOR_SECRET',
  signingKey: 'TWO_FACTOR_PRIVATE_JWK',
  previousSigningKeys: 'TWO_FACTOR_PREVIOUS_JWKS',
  issuer: 'TWO_FACTOR_ISSUER',
  audience: 'TWO_FACTOR_AUDIENCE',
  appName: 'TWO_FACTOR_APP_NAME',
  senderId: 'TWO_FACTOR_SENDER_ID',
  language: 'TWO_FACTOR_LANGUAGE',
  pinTimeToLive: 'TWO_FACTOR_PIN_TTL',
  resendCooldown: 'TWO_FACTOR_RESEND_COOLDOWN',
  verifyPinLimit: 'TWO_FACTOR_VERIFY_PIN_LIMIT',
  sendPinPerPhoneNumberLimit: 'TWO_FACTOR_SEND_PER_NUMBER_LIMIT',
  sendPinPerApplicationLimit: 'TWO_FACTOR_SEND_PER_APPLICATION_LIMIT',
  sendPinPerIpLimit: 'TWO_FACTOR_SEND_PER_IP_LIMIT',
  sendPinPerRangeLimit: 'TWO_FACTOR_SEND_PER_RANGE_LIMIT',
  sendPinPerWideRangeLimit: 'TWO_FACTOR_SEND_PER_WIDE_RANGE_LIMIT',
  maxResendCooldown: 'TWO_FACTOR_MAX_RESEND_COOLDOWN',
  blockDuration: 'TWO_FACTOR_BLOCK_DURATION',
  conversionWindow: 'TWO_FACTOR_CONVERSION_WINDOW',
  captchaMode: 'TWO_FACTOR_CAPTCHA_MODE',
  deliveryReportUrl: 'TWO_FACTOR_DELIVERY_REPORT_URL',
  androidAppHash: 'TWO_FACTOR_ANDROID_APP_HASH',
  lookupFailurePolicy: 'NUMBER_LOOKUP_FAILURE_POLICY',
  adminToken: 'TWO_FACTOR_ADMIN_TOKEN',
} as const

export const NUMBER_OPTION_VARIABLES = {
  pinLength: 'TWO_FACTOR_PIN_LENGTH',
  pinAttempts: 'TWO_FACTOR_PIN_ATTEMPTS',
  conversionMinSends: 'TWO_FACTOR_CONVERSION_MIN_SENDS',
  conversionMinSendsPerRange: 'TWO_FACTOR_CONVERSION_MIN_SENDS_PER_RANGE',
  minConversion: 'TWO_FACTOR_MIN_CONVERSION',
} as const

/** Options set by `name=true`. */
export const FLAG_OPTION_VARIABLES = {
  allowTestNumbersInProduction: 'TWO_FACTOR_ALLOW_TEST_NUMBERS_IN_PRODUCTION',
  allowConsoleSmsInProduction: 'TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION',
  allowLongPinTimeToLive: 'TWO_FACTOR_ALLOW_LONG_PIN_TTL',
} as const

const OTHER_OPTION_VARIABLES: Record<string, string> = {
  sms: 'SMS_PROVIDER',
  lookup: 'NUMBER_LOOKUP',
  pinType: 'TWO_FACTOR_PIN_TYPE',
  testNumbers: 'TWO_FACTOR_TEST_NUMBERS',
  allowedCountries: 'TWO_FACTOR_ALLOWED_COUNTRIES',
  deniedCountries: 'TWO_FACTOR_DENIED_COUNTRIES',
  allowList: 'TWO_FACTOR_ALLOW_LIST',
  smsPrices: 'TWO_FACTOR_SMS_PRICES',
  dailySpendLimit: 'TWO_FACTOR_DAILY_SPEND_LIMIT',
  dailySpendLimitPerCountry: 'TWO_FACTOR_DAILY_SPEND_LIMIT_PER_COUNTRY',
  shadowPolicies: 'TWO_FACTOR_SHADOW_POLICIES',
  allowedOrigins: 'TWO_FACTOR_ALLOWED_ORIGINS',
  captchaHostnames: 'TWO_FACTOR_CAPTCHA_HOSTNAMES',
}

/** The variable that sets `option`, or undefined for an option only code can set. */
export function variableOf(option: string): string | undefined {
  return (
    (STRING_OPTION_VARIABLES as Record<string, string>)[option] ??
    (NUMBER_OPTION_VARIABLES as Record<string, string>)[option] ??
    (FLAG_OPTION_VARIABLES as Record<string, string>)[option] ??
    OTHER_OPTION_VARIABLES[option]
  )
}

/** The start-up error for `option`, naming the environment variable that sets it when there is one. */
export function refuseOption(option: string, problem: string): never {
  // A deployment configured by environment variables learns which one to change.
  const variable = variableOf(option)
  const named = variable && !problem.includes(variable) ? ` (environment variable ${variable})` : ''
  throw new ConfigurationError(`twoFactor(): "${option}" ${problem}${named}`)
}
