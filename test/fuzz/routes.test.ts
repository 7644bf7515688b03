/**
 * Every route under generated input: 100,000 requests with random methods, paths (traversal,
 * encoded dots, long and malformed pinIds, Unicode), headers and bodies (broken and deeply nested
 * JSON, wrong types, huge strings, `__proto__` and `constructor` keys, Unicode digits, RTL marks,
 * NUL bytes). Whatever comes in, the kit answers below 500, always as JSON, every refusal in the
 * `{ error: { code, message } }` envelope, and a request refused for its input changes nothing.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'

const RUNS = 100_000

const tricky = fc.constantFrom(
  '',
  '0',
  '١٢٣٤٥٦', // Arabic-Indic digits
  '１２３４５６', // full-width digits
  '\u202e654321', // right-to-left override
  '12\u000034', // NUL
  '+385 91 123 4567',
  '+385911234567\u200f',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%2e%2e%2f',
  'x'.repeat(5000),
  '🙂'.repeat(40),
)
const text = fc.oneof(tricky, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }))
const value = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
)

/** A JSON-ish object with the API's field names among others, sometimes with prototype keys. */
const fields = fc.dictionary(
  fc.oneof(
    fc.constantFrom('phoneNumber', 'country', 'language', 'captchaToken', 'pin'),
    fc.string({ maxLength: 12 }),
  ),
  value,
  { maxKeys: 6 },
)
const nested = fc.integer({ min: 1, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth))

const body = fc.oneof(
  fields.map((object) => JSON.stringify(object)),
  fields.map((object) =>
    JSON.stringify(object).replace('{', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},'),
  ),
  fc.json({ maxDepth: 4 }),
  nested,
  text, // mostly not JSON at all
  fc.constant(undefined),
)

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain'),
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ),
    fc.string({ maxLength: 30 }),
  ),
  { nil: undefined },
)

describe('fuzzing every route', () => {
  it(`${RUNS.toLocaleString('en')} generated requests: never a 5xx, always JSON, every refusal the envelope, refused input changes nothing`, async () => {
    const kit = makeKit({
      verifyPinLimit: '1000000/1s',
      resendCooldown: '1ms',
      sendPinPerPhoneNumberLimit: '1000000/1d',
      sendPinPerApplicationLimit: '1000000/1d',
      sendPinPerRangeLimit: '1000000/1h',
      sendPinPerWideRangeLimit: '1000000/1h',
    })
    const known = await kit.startVerification(MOBILE_HR)
    const pinIds = fc.oneof(
      fc.constant(known.pinId),
      fc.constant(known.pinId.toLowerCase()),
      fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), minLength: 32, maxLength: 32 }),
      fc.string({ maxLength: 300 }).map(encodeURIComponent),
      tricky.map(encodeURIComponent),
      fc.constant('..%2F..%2Fconfig'),
    )
    const path = fc.oneof(
      fc.constantFrom(
        '/pin',
        '/config',
        '/.well-known/jwks.json',
        '/reports/console',
        '/reports/infobip',
        '/',
        '/pin/',
      ),
      pinIds.map((id) => `/pin/${id}`),
      pinIds.map((id) => `/pin/${id}/verify`),
      pinIds.map((id) => `/pin/${id}/resend`),
      fc.webPath().map((p) => p || '/'),
      fc.string({ maxLength: 60 }).map((p) => `/${encodeURIComponent(p)}`),
    )
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      path,
      contentType,
      body,
    })
    const inputRefusals = new Set([
      'INVALID_REQUEST',
      'INVALID_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'NOT_FOUND',
      'PIN_NOT_FOUND',
      'PHONE_NUMBER_INVALID',
      'PIN_FORMAT_INVALID',
      'COUNTRY_NOT_ALLOWED',
      'NUMBER_TYPE_NOT_ALLOWED',
    ])

    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, contentType, body }) => {
        const sizeBefore = kit.store.size
        const outboxBefore = kit.sms.outbox.length
        const recordBefore = JSON.stringify(await kit.store.getPin(known.pinId))
        const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD'
        const response = await kit.app.request(path, {
          method,
          headers: contentType ? { 'Content-Type': contentType } : {},
          ...(hasBody ? { body } : {}),
        })
        // Plain checks, not expect(): half a million expect() calls would cost more than the requests.
        const fail = (what: string) => {
          throw new Error(`${method} ${path} (${contentType ?? 'no type'}) → ${response.status}: ${what}`)
        }
        if (response.status >= 500) fail('a 5xx')
        if (method === 'HEAD') return
        let answer: { error?: { code?: unknown; message?: unknown } }
        try {
          answer = JSON.parse(await response.text()) as typeof answer
        } catch {
          return fail('not JSON')
        }
        if (response.status >= 400) {
          const code = answer.error?.code
          if (typeof code !== 'string' || typeof answer.error?.message !== 'string') fail('not the envelope')
          if (inputRefusals.has(code as string)) {
            if (kit.store.size !== sizeBefore) fail(`${String(code)} changed the store's size`)
            if (kit.sms.outbox.length !== outboxBefore) fail(`${String(code)} sent an SMS`)
            if (JSON.stringify(await kit.store.getPin(known.pinId)) !== recordBefore)
              fail(`${String(code)} changed the known PIN record`)
          }
        }
        if (({} as Record<string, unknown>).polluted !== undefined) fail('polluted Object.prototype')
      }),
      { numRuns: RUNS },
    )
  }, 600_000)
})
