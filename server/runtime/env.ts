/**
 * Options from environment variables — one reader with the same names on every runtime (README's
 * configuration reference); the SMS and lookup providers' variables are read by env-providers.ts.
 * Runtime entries (node.ts, workers.ts) pass their variables in and add what only they know: the
 * client IP source, the store, the widget files. Web APIs only.
 */
import { turnstileCaptcha } from '../captcha/turnstile.js'
import { ConfigurationError } from '../core/errors.js'
import {
  FLAG_OPTION_VARIABLES,
  NUMBER_OPTION_VARIABLES,
  STRING_OPTION_VARIABLES,
} from '../core/option-variables.js'
import { parseTestNumbersList } from '../core/phone.js'
import type { TwoFactorInit } from '../index.js'
import { providersFromEnv } from './env-providers.js'

export type EnvironmentVariables = Record<string, string | undefined>

/**
 * Whether the variables ask for production. The entries differ on purpose, as their hosts do: Node
 * tools set `NODE_ENV=production` for production, so only that turns the checks on; a Worker has no
 * such convention, so it is production unless `ENVIRONMENT` (or `NODE_ENV`) says "development".
 */
export function isProduction(vars: EnvironmentVariables, runtime: 'node' | 'workers'): boolean {
  if (runtime === 'node') return vars.NODE_ENV === 'production'
  return (vars.ENVIRONMENT || vars.NODE_ENV) !== 'development'
}

/** `TWO_FACTOR_TRUSTED_PROXY_HOPS`: how many proxies in front of a Node server append `X-Forwarded-For`. */
export function trustedProxyHops(vars: EnvironmentVariables): number {
  const value = vars.TWO_FACTOR_TRUSTED_PROXY_HOPS
  return value === undefined ? 0 : Number(value)
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

/** `"HR=0.07,*=0.1"` as `{ HR: 0.07, '*': 0.1 }` (`none` as null); undefined when unset. */
function amounts(value: string | undefined, variable: string): Record<string, number | null> | undefined {
  const items = list(value)
  if (!items) return undefined
  const result: Record<string, number | null> = {}
  for (const item of items) {
    const [key, amount, ...extra] = item.split('=').map((part) => part.trim())
    if (!key || !amount || extra.length > 0)
      throw new ConfigurationError(
        `twoFactor(): ${variable}: expected "CODE=amount" items separated by commas (e.g. "*=20,US=200"), got ${JSON.stringify(item)}`,
      )
    result[key === '*' ? key : key.toUpperCase()] = amount === 'none' ? null : Number(amount)
  }
  return result
}

/**
 * Every option the variables set; unset or empty ones keep the core's defaults (which
 * `twoFactor()` validates, naming the option). `production` decides the environment.
 */
export function optionsFromVariables(vars: EnvironmentVariables, production: boolean): TwoFactorInit {
  const providers = providersFromEnv(vars, production)
  const options: TwoFactorInit = {
    environment: production ? 'production' : 'development',
    sms: providers.sms,
    lookup: providers.lookup,
    testNumbers: parseTestNumbersList(vars.TWO_FACTOR_TEST_NUMBERS),
  }
  const settable = options as Record<string, unknown>
  for (const [option, name] of Object.entries(FLAG_OPTION_VARIABLES)) settable[option] = vars[name] === 'true'
  for (const [option, name] of Object.entries(STRING_OPTION_VARIABLES)) {
    const value = vars[name]
    if (value !== undefined && value !== '') settable[option] = value
  }
  for (const [option, name] of Object.entries(NUMBER_OPTION_VARIABLES)) {
    const value = vars[name]
    if (value !== undefined && value !== '') settable[option] = Number(value)
  }
  if (vars.TWO_FACTOR_PIN_TYPE)
    options.pinType = vars.TWO_FACTOR_PIN_TYPE.toUpperCase() as TwoFactorInit['pinType']
  const countries = list(vars.TWO_FACTOR_ALLOWED_COUNTRIES)
  if (countries)
    options.allowedCountries =
      countries.includes('*') && countries.length === 1 ? '*' : countries.map((code) => code.toUpperCase())
  const denied = list(vars.TWO_FACTOR_DENIED_COUNTRIES)
  if (denied) options.deniedCountries = denied.map((code) => code.toUpperCase())
  const allowList = list(vars.TWO_FACTOR_ALLOW_LIST)
  if (allowList) options.allowList = allowList
  const shadow = list(vars.TWO_FACTOR_SHADOW_POLICIES)
  if (shadow)
    options.shadowPolicies =
      shadow.length === 1 && shadow[0] === '*' ? '*' : shadow.map((name) => name.toUpperCase())
  const prices = amounts(vars.TWO_FACTOR_SMS_PRICES, 'TWO_FACTOR_SMS_PRICES')
  if (prices) options.smsPrices = prices as Record<string, number>
  const dailyLimit = vars.TWO_FACTOR_DAILY_SPEND_LIMIT
  if (dailyLimit) options.dailySpendLimit = dailyLimit === 'none' ? null : Number(dailyLimit)
  const countryLimit = vars.TWO_FACTOR_DAILY_SPEND_LIMIT_PER_COUNTRY
  if (countryLimit)
    options.dailySpendLimitPerCountry =
      countryLimit === 'none'
        ? null
        : countryLimit.includes('=')
          ? amounts(countryLimit, 'TWO_FACTOR_DAILY_SPEND_LIMIT_PER_COUNTRY')!
          : Number(countryLimit)
  const origins = list(vars.TWO_FACTOR_ALLOWED_ORIGINS)
  if (origins) options.allowedOrigins = origins
  const captcha = captchaFromVariables(vars)
  if (captcha) options.captcha = captcha
  const captchaHostnames = list(vars.TWO_FACTOR_CAPTCHA_HOSTNAMES)
  if (captchaHostnames) options.captchaHostnames = captchaHostnames
  return options
}

/** Turnstile when both its keys are set; one without the other is a mistake worth stopping for. */
function captchaFromVariables(vars: EnvironmentVariables): TwoFactorInit['captcha'] {
  const siteKey = vars.TURNSTILE_SITE_KEY || undefined
  const secretKey = vars.TURNSTILE_SECRET_KEY || undefined
  if (!siteKey && !secretKey) return undefined
  if (!siteKey || !secretKey) {
    throw new ConfigurationError(
      `twoFactor(): Turnstile needs both TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY; only ${siteKey ? 'the site key' : 'the secret key'} is set`,
    )
  }
  return turnstileCaptcha({
    siteKey,
    secretKey,
    ...(vars.TURNSTILE_ACTION ? { action: vars.TURNSTILE_ACTION } : {}),
    ...(vars.TURNSTILE_BASE_URL ? { baseUrl: vars.TURNSTILE_BASE_URL } : {}),
  })
}

/** Options that take a string, which a call passing options where the variables belong would use. */
const STRING_VALUED_OPTIONS = new Set<string>([
  ...Object.keys(STRING_OPTION_VARIABLES),
  'environment',
  'algorithm',
  'pinType',
  'tokenTimeToLive',
  'lookupCacheTimeToLive',
  'providerTimeout',
])

/**
 * Both runtime entries take `(env, overrides)`. Options passed where the variables belong would be
 * read as no variables at all and silently ignored, so that mistake stops here. Process variables
 * are all strings; a Worker's env also holds bindings (objects), so `stringsOnly` is the Node rule.
 */
export function assertEnvironmentVariables(vars: unknown, stringsOnly: boolean): void {
  if (!vars || typeof vars !== 'object') {
    throw new ConfigurationError('twoFactor(env, overrides): the first argument must be the environment')
  }
  for (const [name, value] of Object.entries(vars)) {
    const misplaced = stringsOnly && value !== undefined && typeof value !== 'string'
    if (misplaced || STRING_VALUED_OPTIONS.has(name)) {
      throw new ConfigurationError(
        `twoFactor(env, overrides): the first argument is the environment variables and the second the ` +
          `options, but the first has the option ${JSON.stringify(name)}. Call twoFactor(env, { ${name}: … }).`,
      )
    }
  }
}
