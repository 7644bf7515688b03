/**
 * Every option of the product, typed and documented once with its default; `resolve.ts` validates
 * them once at start-up. Names and defaults follow Infobip's 2FA application and message template
 * where they overlap. What only the HTTP layer needs (the caller's IP, the widget files) is added by
 * `http/options.ts`: the core never sees a request.
 */
import type { Rate } from './duration.js'
import type { CaptchaPolicy, CaptchaVerifier } from './captcha.js'
import type { HmacSha256, PinType } from './pin.js'
import type { LineType, SmsProvider } from '../providers/types.js'
import type { TwoFactorStore } from '../stores/types.js'
import type { NumberType } from './phone.js'
import type { EventHook } from './events.js'
import type { Logger } from './log.js'
import type { ResolvedPolicy } from './policy.js'
import type { JwsSigner } from './token.js'

export type SigningAlgorithm = 'EdDSA' | 'ES256'
export type { Logger } from './log.js'

export interface TwoFactorCoreOptions {
  /**
   * `'production'` refuses ephemeral keys and secrets, test numbers (unless allowed) and the dev
   * inbox. Secure by default: development must be asked for.
   * @default 'production'
   */
  environment?: 'production' | 'development'
  /**
   * Where PIN records and rate-limit counters live. The `two-factor-kit/server` entry defaults to
   * `memoryStore()`, which is for one process: with several, use a shared store (`redisStore`,
   * `durableObjectStore`), which then requires `secret` and `signingKey`.
   */
  store: TwoFactorStore
  /**
   * SMS provider, or an ordered list for failover. The `two-factor-kit/server` entry defaults to
   * `consoleProvider()`, which production refuses unless `allowConsoleSmsInProduction`.
   */
  sms: SmsProvider | SmsProvider[]
  /**
   * Lets production use the console provider (named `console`), which sends no SMS: for a smoke
   * test of a deployment. It must be made with `maskPins: true`, so no PIN reaches the log.
   * @default false
   */
  allowConsoleSmsInProduction?: boolean
  /**
   * Server secret for the PIN MACs and PIN derivation: at least 32 characters of real randomness
   * (e.g. `openssl rand -base64 32`). Required in production and with a shared store; otherwise, in
   * development, a random one is made per process, with a warning. Production also refuses one that
   * looks like a placeholder or holds runs, repeats or sequences.
   */
  secret?: string
  /**
   * Private signing key for the tokens, as a JWK (object or JSON string) with `alg` EdDSA (Ed25519)
   * or ES256 (P-256). Required in production and with a shared store; otherwise, in development, an
   * ephemeral key is generated, with a warning (tokens then stop verifying when the process restarts).
   */
  signingKey?: JsonWebKey | string
  /**
   * Keys that signed tokens before `signingKey` did, as JWKs (public or private; only the public
   * half is used), or a JSON string of one JWK or an array of them. Their public halves are published
   * in `/.well-known/jwks.json` after the current key's, each under its own `kid`, and the kit's own
   * verifier accepts tokens they signed; new tokens are signed with `signingKey` only. Each must be
   * for the current key's algorithm. Keep one until the tokens it signed and every verifier's cached
   * JWKS have expired (README, "Rotating the signing key").
   * @default [] (none)
   */
  previousSigningKeys?: JsonWebKey[] | string
  /** @default 'EdDSA' (or the signing key's own `alg`) */
  algorithm?: SigningAlgorithm
  /** The token's `iss`. Required in production. @default 'two-factor-kit' in development */
  issuer?: string
  /** The token's `aud`: the host application the token is for. Required in production. @default 'two-factor-kit-dev' in development */
  audience?: string
  /** How long a token is valid. @default '5m' */
  tokenTimeToLive?: string
  /** @default 6 (4–10) */
  pinLength?: number
  /** @default 'NUMERIC' */
  pinType?: PinType
  /** How long a PIN can be verified; production refuses more than 10m unless `allowLongPinTimeToLive`. @default '10m' */
  pinTimeToLive?: string
  /** Lets production have a `pinTimeToLive` above 10 minutes (never above 1 day). @default false */
  allowLongPinTimeToLive?: boolean
  /** Verification attempts per PIN, right or wrong. @default 5 */
  pinAttempts?: number
  /** Whether a verified PIN may be verified again while valid. @default false */
  allowMultiplePinVerifications?: boolean
  /**
   * Verify requests per PIN (pinId), so one PIN's wrong guesses never hold back another PIN to the
   * same number; guesses per number stay bounded by `sendPinPerPhoneNumberLimit` × `pinAttempts`.
   * Per phone number for test numbers, whose sends take no quota.
   * @default '1/3s'
   */
  verifyPinLimit?: string
  /** Sends (first SMS and resends) per phone number. @default '5/1d' */
  sendPinPerPhoneNumberLimit?: string
  /** All sends of this application. @default '10000/1d' */
  sendPinPerApplicationLimit?: string
  /**
   * Least time between the first two SMS to one number (send or resend). Each further SMS within the
   * number's `sendPinPerPhoneNumberLimit` window doubles the wait (with up to 10 % jitter), up to
   * `maxResendCooldown`.
   * @default '30s'
   */
  resendCooldown?: string
  /** The longest wait between two SMS to one number. @default '32m' */
  maxResendCooldown?: string
  /**
   * SMS text; must contain `{{pin}}`. Placeholders: `{{pin}}`, `{{appName}}`, `{{minutes}}` (PIN
   * lifetime) and any in `placeholders`. A map `{ en: '…', de: '…' }` gives one text per language.
   * @default built-in texts in en, de, fr, es and hr
   */
  messageText?: string | Record<string, string>
  /** Extra `{{name}}` values for `messageText`. @default {} */
  placeholders?: Record<string, string>
  /** Name used by the built-in texts' `{{appName}}`. @default 'two-factor-kit' */
  appName?: string
  /** Sender id passed to the provider. @default undefined (the provider's default) */
  senderId?: string
  /** Default language of the SMS; a request may ask for another one that has a text. @default 'en' */
  language?: string
  /**
   * Countries that may receive PINs: ISO 3166 alpha-2 codes (`['HR', 'DE']`), or `'*'` for every
   * country — a choice production wants made knowingly, so it refuses to start without one. The
   * high-risk calling codes that belong to no country (satellite +870/+881, international networks
   * +882/+883, +878, +888, +979) are refused even under `'*'`, unless named here (`'+881'`).
   * @default '*' in development; required in production
   */
  allowedCountries?: readonly string[] | '*'
  /** Countries that never receive PINs, even under `allowedCountries: '*'`. @default [] */
  deniedCountries?: readonly string[]
  /**
   * Numbers (`'+385911234567'`) and 1k ranges (`'+385911234xxx'`: the last three digits as `x`)
   * that no block, range velocity limit or conversion breaker refuses (Twilio's Safe List). The
   * per-number and per-IP quotas and the spend ceiling still apply. More can be added at run time
   * with `kit.policy.allow()`.
   * @default []
   */
  allowList?: readonly string[]
  /**
   * Sends per 1k number range (the E.164 number without its last 3 digits) across all callers. A
   * range over it is blocked for `blockDuration` (doubling on repeat): bursts to adjacent numbers
   * are SMS pumping's signature.
   * @default '10/1h'
   */
  sendPinPerRangeLimit?: string
  /** Sends per 10k number range (without the last 4 digits), like `sendPinPerRangeLimit`. @default '30/1h' */
  sendPinPerWideRangeLimit?: string
  /**
   * How long a first block by a policy lasts; each repeat within a day of the last block doubles
   * it, up to a day.
   * @default '15m'
   */
  blockDuration?: string
  /**
   * The conversion breaker's window: sends and verifications per country, per 1k range and per
   * mobile network are counted over this window and the one before it.
   * @default '1h'
   */
  conversionWindow?: string
  /** Sends to a country or network in the window before the breaker judges its conversion. @default 20 */
  conversionMinSends?: number
  /** Sends to one 1k range in the window before the breaker judges its conversion. @default 5 */
  conversionMinSendsPerRange?: number
  /**
   * The least share of sends that must be verified: below it with 99 % confidence, once enough were
   * sent, the scope first needs the captcha (when `captchaMode` is `'escalated'`), then is blocked.
   * 0.5 is the industry's "more than 2 sends per verification" rule of thumb; a site whose users
   * verify less than about 60 % of the time should set it lower. Countries with too few sends to
   * be judged alone are judged together (`country:rare`).
   * @default 0.5
   */
  minConversion?: number
  /**
   * `'always'`: every send needs a solved captcha. `'escalated'`: only sends to a scope the
   * conversion breaker tripped on do, so most users never see one.
   * @default 'always'
   */
  captchaMode?: 'always' | 'escalated'
  /**
   * Price of one SMS segment by ISO country (`'*'` for the rest), in your currency, for the spend
   * ceiling's estimate. Replaces entries of the built-in table (rounded USD list prices).
   * @default the built-in table
   */
  smsPrices?: Record<string, number>
  /**
   * Estimated spend per UTC day for all SMS; past it, sends are refused until the day rolls, and an
   * event fires at 80 %. `null`: no ceiling.
   * @default 100
   */
  dailySpendLimit?: number | null
  /**
   * Estimated spend per UTC day for one country: a number for every country, or by ISO code with
   * `'*'` for the rest (`{ '*': 20, US: 200 }`). `null`: no ceiling per country.
   * @default 20
   */
  dailySpendLimitPerCountry?: number | Record<string, number | null> | null
  /**
   * Policies that decide and record but don't refuse (`'*'` for all): `COUNTRY_NOT_ALLOWED`,
   * `HIGH_RISK_DESTINATION`, `RANGE_VELOCITY`, `LOW_CONVERSION`, `SPEND_CEILING`. Their decisions
   * still fire `send.refused` events (with `shadow: true`) and count in the statistics, so a policy
   * can be tuned on real traffic before it is enforced.
   * @default []
   */
  shadowPolicies?: readonly string[] | '*'
  /**
   * Called with a typed event for every step and every refusal (`pin.sent`, `pin.verified`,
   * `send.refused`, `sms.failover`, … — see `TwoFactorEvent`): for audit logs and metrics. Events
   * carry masked numbers, never a PIN. Never awaited; whatever it throws (or rejects with) is logged.
   * @default undefined
   */
  onEvent?: EventHook
  /**
   * Number types (libphonenumber-js `getType()`) that may receive a PIN. Numbers whose type can't
   * be told are refused.
   * @default ['MOBILE', 'FIXED_LINE_OR_MOBILE']
   */
  allowedNumberTypes?: readonly NumberType[]
  /**
   * Numbers with fixed PINs that send nothing and skip quotas (app-store reviewers, e2e tests),
   * `{ '+15005550006': '123456' }`. Refused in production unless `allowTestNumbersInProduction`.
   * @default {}
   */
  testNumbers?: Record<string, string>
  /** @default false */
  allowTestNumbersInProduction?: boolean
  /** Sends per client IP. @default '20/1h' */
  sendPinPerIpLimit?: string
  /**
   * Network number lookup before any PIN exists (Infobip Number Lookup, Twilio Lookup v2): a
   * provider with `lookup()`. `null` keeps to the free offline checks.
   * @default null
   */
  lookup?: SmsProvider | null
  /** How long a lookup answer is reused for the same number. @default '1d' */
  lookupCacheTimeToLive?: string
  /** When the lookup itself fails: `'closed'` refuses (LOOKUP_FAILED), `'open'` sends unchecked. @default 'closed' */
  lookupFailurePolicy?: 'closed' | 'open'
  /**
   * Line types the network lookup may report for a number that gets a PIN.
   * @default ['mobile', 'fixed_or_mobile', 'unknown']
   */
  allowedLineTypes?: LineType[]
  /** Time budget of one provider call (send or lookup). @default '10s' */
  providerTimeout?: string
  /** Extra tries on one provider after a transient failure, before failing over to the next. @default 1 */
  providerRetries?: number
  /**
   * Origins of the pages that show the widget (`['https://shop.example']`). They get CORS access to
   * the API, and the first one's host goes into the SMS's WebOTP line (`@shop.example #123456`) —
   * never a host taken from the request.
   * @default [] (same-origin only, no WebOTP line)
   */
  allowedOrigins?: readonly string[]
  /**
   * A bot check every `POST /pin` must pass before any quota, lookup or SMS is spent, e.g.
   * `turnstileCaptcha({ siteKey, secretKey })`. The widget renders the challenge by itself.
   * Test numbers skip it. `null` asks for none.
   * @default null
   */
  captcha?: CaptchaVerifier | null
  /**
   * Hostnames a captcha may have been solved on; one solved on another site is refused.
   * @default the hosts of `allowedOrigins` (none, when that is empty: then any hostname passes)
   */
  captchaHostnames?: readonly string[]
  /** Whether to end the SMS with the WebOTP line when `allowedOrigins` is set. @default true */
  webOtp?: boolean
  /** Android SMS Retriever app hash (11 characters), added on its own line. @default undefined */
  androidAppHash?: string
  /**
   * Public URL of this app's `/reports` route (`https://shop.example/2fa/reports`); each SMS asks
   * its provider to post delivery reports to `${deliveryReportUrl}/${provider.name}`. Unset, the
   * provider account's own webhook settings apply.
   * @default undefined
   */
  deliveryReportUrl?: string
  /**
   * Where the kit logs, pino's way: `logger.warn({ err, …fields }, message)`, so a pino (or
   * compatible) logger keeps errors as objects. Each event is one line (`info` for a step, `warn`
   * for a refusal or failure).
   * @default readable lines on the console: `[two-factor-kit] message {fields}`
   */
  logger?: Logger
  /** The clock, in Unix ms; tests pass a fake one. @default Date.now */
  clock?: () => number
  /**
   * Makes the token's signatures. The Node entry passes `nodeJwsSigner` (node:crypto's,
   * synchronous): Web Crypto on Node runs each signature as a thread-pool job, about twice the CPU.
   * @default Web Crypto (`crypto.subtle.sign`)
   */
  jwsSigner?: JwsSigner
  /**
   * Makes the HMAC-SHA-256 of a key, for PINs and their MACs. The Node entry passes
   * `nodeHmacSha256` (node:crypto's, synchronous): Web Crypto on Node runs each MAC as a thread-pool
   * job, ten times the CPU.
   * @default Web Crypto (`crypto.subtle.sign('HMAC', …)`)
   */
  hmacSha256?: HmacSha256
}

export interface ResolvedOptions {
  environment: 'production' | 'development'
  store: TwoFactorStore
  providers: SmsProvider[]
  secret: string
  signingKey: JsonWebKey | undefined
  previousSigningKeys: JsonWebKey[]
  algorithm: SigningAlgorithm | undefined
  issuer: string
  audience: string
  tokenTtlMs: number
  pinLength: number
  pinType: PinType
  pinTtlMs: number
  pinAttempts: number
  allowMultiplePinVerifications: boolean
  verifyPinLimit: Rate
  sendPinPerPhoneNumberLimit: Rate
  sendPinPerApplicationLimit: Rate
  sendPinPerIpLimit: Rate
  resendCooldownMs: number
  maxResendCooldownMs: number
  messageTexts: Record<string, string> | undefined
  placeholders: Record<string, string>
  appName: string
  senderId: string | undefined
  language: string
  /** The countries the widget may offer (allowed and not denied), or null for every one. */
  allowedCountries: readonly string[] | null
  /** The anti-fraud and cost policies' settings. */
  policy: ResolvedPolicy
  captchaMode: 'always' | 'escalated'
  allowedNumberTypes: readonly NumberType[]
  testNumbers: Map<string, string>
  lookup: SmsProvider | null
  lookupCacheTtlMs: number
  lookupFailurePolicy: 'closed' | 'open'
  allowedLineTypes: LineType[]
  providerTimeoutMs: number
  providerRetries: number
  allowedOrigins: readonly string[]
  /** The verifier with what it checks against, put together once; null when there is no captcha. */
  captcha: CaptchaPolicy | null
  /** The host of the WebOTP line, or undefined for none. */
  webOtpHost: string | undefined
  androidAppHash: string | undefined
  deliveryReportUrl: string | undefined
  logger: Logger
  clock: () => number
  jwsSigner: JwsSigner | undefined
  hmacSha256: HmacSha256 | undefined
}
