/**
 * The kit's HTTP answers as valibot schemas. The routes take their answers' types from these
 * (`v.InferOutput`) and `GET /openapi.json` is generated from them (openapi.ts), so the code and the
 * document can't drift apart unseen. Nothing checks an answer at run time (it would cost every
 * request): the compiler checks the code against the types, test/contract/openapi.test.ts the real
 * answers against the document.
 */
import * as v from 'valibot'
import { PIN_ID_PATTERN } from '../core/pin.js'
import { SEND_BLOCK_REASONS } from '../core/policy.js'

const Count = v.pipe(v.number(), v.integer(), v.minValue(0))
const Seconds = v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Seconds.'))
const Timestamp = v.pipe(v.string(), v.isoTimestamp(), v.description('ISO 8601, UTC.'))
const UnixMs = v.pipe(v.number(), v.integer(), v.description('Unix time in milliseconds.'))
const PinId = v.pipe(v.string(), v.regex(PIN_ID_PATTERN))
const MaskedNumber = v.pipe(v.string(), v.description('The number with its middle digits hidden.'))

export const PIN_TYPES = ['NUMERIC', 'ALPHA', 'HEX', 'ALPHANUMERIC'] as const
export const PIN_STATUSES = [
  'PENDING',
  'SENT',
  'DELIVERED',
  'FAILED',
  'VERIFIED',
  'EXPIRED',
  'LOCKED',
] as const
export const DELIVERY_STATUSES = [
  'PENDING',
  'ACCEPTED',
  'SENT',
  'DELIVERED',
  'UNDELIVERABLE',
  'EXPIRED',
  'REJECTED',
  'FAILED',
] as const

export const ConfigAnswer = v.object({
  pinLength: Count,
  pinType: v.picklist(PIN_TYPES),
  pinTimeToLive: Seconds,
  resendCooldown: Seconds,
  pinAttempts: Count,
  allowedCountries: v.nullable(v.array(v.string())),
  language: v.string(),
  captcha: v.nullable(
    v.object({
      provider: v.string(),
      siteKey: v.string(),
      action: v.string(),
      mode: v.picklist(['always', 'escalated']),
    }),
  ),
})
export type ConfigAnswer = v.InferOutput<typeof ConfigAnswer>

// objectWithRest: open objects (`additionalProperties: {}`), where other members are expected.
export const JwksAnswer = v.object({
  keys: v.array(
    v.objectWithRest(
      {
        kty: v.string(),
        kid: v.optional(v.string()),
        alg: v.optional(v.string()),
        use: v.optional(v.string()),
      },
      v.unknown(),
    ),
  ),
})

export const SendPinAnswer = v.object({
  pinId: PinId,
  to: MaskedNumber,
  expiresAt: Timestamp,
  resendAvailableAt: Timestamp,
  attemptsRemaining: Count,
  lookup: v.object({
    valid: v.literal(true),
    country: v.nullable(v.string()),
    numberType: v.nullable(v.string()),
    ncStatus: v.string(),
    lineType: v.optional(v.string()),
  }),
  sms: v.object({
    status: v.picklist(['MESSAGE_SENT', 'MESSAGE_NOT_SENT', 'MESSAGE_STATUS_UNKNOWN']),
    provider: v.nullable(v.string()),
    messageId: v.optional(v.string()),
    reason: v.optional(v.string()),
    encoding: v.optional(v.picklist(['GSM-7', 'UCS-2'])),
    segments: v.optional(Count),
  }),
})
export type SendPinAnswer = v.InferOutput<typeof SendPinAnswer>

export const VerifyPinAnswer = v.object({
  verified: v.literal(true),
  token: v.pipe(v.string(), v.description('The signed JWT that proves the number.')),
  expiresAt: Timestamp,
})
export type VerifyPinAnswer = v.InferOutput<typeof VerifyPinAnswer>

export const PinStateAnswer = v.object({
  pinId: PinId,
  to: MaskedNumber,
  status: v.picklist(PIN_STATUSES),
  deliveryStatus: v.picklist(DELIVERY_STATUSES),
  expiresAt: Timestamp,
  resendAvailableAt: Timestamp,
  attemptsRemaining: Count,
})
export type PinStateAnswer = v.InferOutput<typeof PinStateAnswer>

export const HealthAnswer = v.object({ status: v.literal('ok') })

export const DeliveryReportAnswer = v.object({
  received: Count,
  updated: Count,
  unchanged: Count,
  unknown: Count,
})

export const OpenApiAnswer = v.objectWithRest(
  {
    openapi: v.string(),
    info: v.objectWithRest({ title: v.string(), version: v.string() }, v.unknown()),
    paths: v.record(v.string(), v.record(v.string(), v.unknown())),
  },
  v.unknown(),
)

/** What `/metadata.json` holds: libphonenumber-js metadata and example numbers, cut for the widget. */
export const WidgetMetadataAnswer = v.object({
  metadata: v.objectWithRest({ version: v.number() }, v.unknown()),
  examples: v.pipe(
    v.string(),
    v.description(
      'One example mobile number per country of `metadata.countries`, in that order, comma-separated; empty where there is none.',
    ),
  ),
})

// The admin API's answers (server/http/admin.ts).

const Block = v.object({
  scope: v.string(),
  reason: v.picklist(SEND_BLOCK_REASONS),
  action: v.picklist(['block', 'captcha']),
  level: Count,
  since: UnixMs,
  until: UnixMs,
})

const Money = v.pipe(v.number(), v.description('In the price table’s currency.'))
const Spend = v.object({
  day: v.string(),
  spent: Money,
  ceiling: v.nullable(Money),
  countries: v.record(v.string(), v.object({ spent: Money, ceiling: v.nullable(Money) })),
})
const Ratio = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1)))
const funnel = { requested: Count, sent: Count, delivered: Count, verified: Count, conversion: Ratio }

export const AdminSummaryAnswer = v.object({
  period: v.picklist(['hour', 'day', 'week']),
  hours: Count,
  funnel: v.object(funnel),
  byCountry: v.array(v.object({ country: v.string(), ...funnel, spend: v.number() })),
  byProvider: v.array(
    v.object({
      provider: v.string(),
      sent: Count,
      delivered: Count,
      undelivered: Count,
      verified: Count,
      failed: Count,
      conversion: Ratio,
      latencyMs: v.nullable(Count),
    }),
  ),
  refusals: v.array(v.object({ reason: v.string(), shadow: v.boolean(), count: Count })),
  spend: v.object({ ...Spend.entries, periodSpend: Money }),
  series: v.array(
    v.object({
      hour: v.string(),
      requested: Count,
      sent: Count,
      delivered: Count,
      verified: Count,
      refused: Count,
    }),
  ),
  blocks: v.array(Block),
})

export const AdminVerificationsAnswer = v.object({
  phoneNumber: v.string(),
  verifications: v.array(
    v.object({
      pinId: PinId,
      createdAt: UnixMs,
      expiresAt: UnixMs,
      status: v.picklist(['PENDING', 'VERIFIED', 'LOCKED', 'FAILED']),
      deliveryStatus: v.picklist(DELIVERY_STATUSES),
      attemptsUsed: Count,
      resends: Count,
      provider: v.nullable(v.string()),
      country: v.nullable(v.string()),
      verifiedAt: v.optional(UnixMs),
    }),
  ),
})
export const AdminBlocksAnswer = v.object({ blocks: v.array(Block) })
export const AdminLiftAnswer = v.object({ scope: v.string(), lifted: v.boolean() })
export const AdminAllowListAnswer = v.object({
  entries: v.array(
    v.object({
      entry: v.string(),
      source: v.picklist(['options', 'store']),
      note: v.optional(v.string()),
      addedAt: v.optional(UnixMs),
      until: v.optional(UnixMs),
    }),
  ),
})
/**
 * `POST /admin/allow-list`'s body as admin.ts checks it (its own schema is private to it: this copy
 * is held to it by the contract test, which sends a body built from this one).
 */
export const AdminAllowBody = v.strictObject({
  entry: v.pipe(v.string(), v.maxLength(32), v.description('`+385911234567` or a 1k range `+385911234xxx`.')),
  note: v.optional(v.pipe(v.string(), v.maxLength(200))),
  until: v.optional(v.pipe(v.number(), v.integer(), v.description('Unix ms; absent: for good.'))),
})
export const AdminAllowAnswer = v.object({ entry: v.string(), added: v.literal(true) })
export const AdminDisallowAnswer = v.object({ entry: v.string(), removed: v.boolean() })
export const AdminSpendAnswer = Spend

/** The details a refusal can carry, each with the codes that carry it. */
const errorDetails = {
  issues: v.optional(
    v.pipe(
      v.array(v.object({ path: v.string(), message: v.string() })),
      v.description('INVALID_REQUEST of a body: what is wrong, by field.'),
    ),
  ),
  retryAfter: v.optional(
    v.pipe(Seconds, v.description('RATE_LIMITED, *_UNAVAILABLE: try again after this.')),
  ),
  limit: v.optional(
    v.pipe(v.string(), v.description('RATE_LIMITED: which limit (`resendCooldown`, `verifyPin`, …).')),
  ),
  reason: v.optional(
    v.pipe(v.string(), v.description('SEND_BLOCKED, CAPTCHA_REQUIRED: the policy that refused.')),
  ),
  scope: v.optional(
    v.pipe(v.string(), v.description('SEND_BLOCKED, CAPTCHA_REQUIRED: `country:HR`, `range:…`.')),
  ),
  reasons: v.optional(v.pipe(v.array(v.string()), v.description('CAPTCHA_FAILED: the captcha service’s.'))),
  numberType: v.optional(v.pipe(v.string(), v.description('NUMBER_TYPE_NOT_ALLOWED: what the number is.'))),
  ncStatus: v.optional(v.pipe(v.string(), v.description('NUMBER_*: what the network lookup said.'))),
  retryable: v.optional(v.pipe(v.boolean(), v.description('SMS_NOT_SENT: whether trying again may help.'))),
  pinLength: v.optional(v.pipe(Count, v.description('PIN_FORMAT_INVALID: the expected format.'))),
  pinType: v.optional(v.picklist(PIN_TYPES)),
  attemptsRemaining: v.optional(v.pipe(Count, v.description('WRONG_PIN: tries left.'))),
}

/**
 * The error envelope, `{ error: { code, message, …details } }`; the details depend on the code.
 * The document holds it once (`components.schemas.Error`), and each error answer narrows `code` to
 * the codes it can carry (openapi.ts); `errorStatus` gives their status.
 */
export const ErrorAnswer = v.object({
  error: v.object({ code: v.string(), message: v.string(), ...errorDetails }),
})
