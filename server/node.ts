/**
 * `two-factor-kit/server/node`: the kit on Node, configured from the environment. Only this file
 * (and other runtime entries) know the runtime: it reads `process.env`, the socket's address and
 * the widget bundle from disk, then hands plain options to the core.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { twoFactor as createTwoFactor, type TwoFactorInit } from './index.js'
import type { TwoFactorApp } from './app.js'
import { parseTestNumbersList } from './phone.js'
import { providersFromEnv } from './providers/from-env.js'
import { loadWidgetScript } from './widget-bundle-node.js'
import { readFileSync } from 'node:fs'

const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

export { serve } from '@hono/node-server'

type Env = Record<string, string | undefined>

/**
 * The caller's IP from the socket, or — behind `trustedProxyHops` proxies that each append to
 * `X-Forwarded-For` — the address the outermost trusted proxy saw. Entries left of that one are
 * whatever the client wrote, so they are never read: a spoofed header can't move a caller into
 * another rate-limit bucket.
 */
export function clientIpFromProxyHops(trustedProxyHops: number): (c: Context) => string | undefined {
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0) {
    throw new TypeError(`trustedProxyHops must be a whole number ≥ 0; got ${String(trustedProxyHops)}`)
  }
  return (c) => {
    const socketAddress = getConnInfo(c).remote.address
    if (trustedProxyHops === 0) return socketAddress
    const forwarded = (c.req.header('X-Forwarded-For') ?? '').split(',').map((part) => part.trim()).filter(Boolean)
    return forwarded[forwarded.length - trustedProxyHops] ?? socketAddress
  }
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((item) => item.trim()).filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

/**
 * Options from environment variables (see the README's configuration reference). Anything not set
 * keeps the core's default; `NODE_ENV=production` turns on every production check.
 */
export function optionsFromEnv(env: Env = process.env): TwoFactorInit {
  const production = env.NODE_ENV === 'production'
  const hops = env.TWO_FACTOR_TRUSTED_PROXY_HOPS === undefined ? 0 : Number(env.TWO_FACTOR_TRUSTED_PROXY_HOPS)
  const providers = providersFromEnv(env)
  const options: TwoFactorInit = {
    environment: production ? 'production' : 'development',
    sms: providers.sms,
    lookup: providers.lookup,
    widget: { loadScript: loadWidgetScript, version: packageVersion },
    getClientIp: clientIpFromProxyHops(hops),
    testNumbers: parseTestNumbersList(env.TWO_FACTOR_TEST_NUMBERS),
    allowTestNumbersInProduction: env.TWO_FACTOR_ALLOW_TEST_NUMBERS_IN_PRODUCTION === 'true',
  }
  const strings = {
    secret: env.TWO_FACTOR_SECRET,
    signingKey: env.TWO_FACTOR_PRIVATE_JWK,
    issuer: env.TWO_FACTOR_ISSUER,
    audience: env.TWO_FACTOR_AUDIENCE,
    appName: env.TWO_FACTOR_APP_NAME,
    senderId: env.TWO_FACTOR_SENDER_ID,
    language: env.TWO_FACTOR_LANGUAGE,
    pinTimeToLive: env.TWO_FACTOR_PIN_TTL,
    resendCooldown: env.TWO_FACTOR_RESEND_COOLDOWN,
    verifyPinLimit: env.TWO_FACTOR_VERIFY_PIN_LIMIT,
    sendPinPerPhoneNumberLimit: env.TWO_FACTOR_SEND_PER_NUMBER_LIMIT,
    sendPinPerApplicationLimit: env.TWO_FACTOR_SEND_PER_APPLICATION_LIMIT,
    sendPinPerIpLimit: env.TWO_FACTOR_SEND_PER_IP_LIMIT,
    deliveryReportUrl: env.TWO_FACTOR_DELIVERY_REPORT_URL,
    androidAppHash: env.TWO_FACTOR_ANDROID_APP_HASH,
    lookupFailurePolicy: env.NUMBER_LOOKUP_FAILURE_POLICY,
  } as const
  for (const [name, value] of Object.entries(strings)) {
    if (value !== undefined && value !== '') (options as Record<string, unknown>)[name] = value
  }
  const countries = list(env.TWO_FACTOR_ALLOWED_COUNTRIES)
  if (countries) options.allowedCountries = countries.map((code) => code.toUpperCase())
  const origins = list(env.TWO_FACTOR_ALLOWED_ORIGINS)
  if (origins) options.allowedOrigins = origins
  const numbers = { pinLength: env.TWO_FACTOR_PIN_LENGTH, pinAttempts: env.TWO_FACTOR_PIN_ATTEMPTS }
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined && value !== '') (options as Record<string, unknown>)[name] = Number(value)
  }
  if (env.TWO_FACTOR_PIN_TYPE) options.pinType = env.TWO_FACTOR_PIN_TYPE.toUpperCase() as TwoFactorInit['pinType']
  return options
}

/** `twoFactor()` configured from `process.env`, with `overrides` on top. */
export function twoFactor(overrides: TwoFactorInit = {}, env: Env = process.env): TwoFactorApp {
  return createTwoFactor({ ...optionsFromEnv(env), ...overrides })
}
