/**
 * Reading requests: the JSON body (media type, size limit, syntax, schema) and the pinId in the
 * path. Every problem becomes a TwoFactorError with its own code, never a 500.
 */
import type { Context } from 'hono'
import * as v from 'valibot'
import { MAX_CAPTCHA_TOKEN_LENGTH } from '../core/captcha.js'
import { TwoFactorError } from '../core/errors.js'
import { PIN_ID_PATTERN } from '../core/pin.js'
import { pinUnusable } from '../core/pin-record.js'

export const SendPinBody = v.object({
  phoneNumber: v.pipe(
    v.string('"phoneNumber" must be a string'),
    v.trim(),
    v.minLength(1, '"phoneNumber" is required'),
    v.maxLength(64, '"phoneNumber" is too long'),
  ),
  country: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toUpperCase(),
      v.regex(/^[A-Z]{2}$/, '"country" must be an ISO 3166 alpha-2 code like "HR"'),
    ),
  ),
  captchaToken: v.optional(
    v.pipe(
      v.string('"captchaToken" must be a string'),
      v.maxLength(MAX_CAPTCHA_TOKEN_LENGTH, '"captchaToken" is too long'),
    ),
  ),
  language: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(35),
      v.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, '"language" must be a language tag like "de"'),
    ),
  ),
})

export const VerifyPinBody = v.object({
  pin: v.pipe(v.string('"pin" must be a string'), v.maxLength(32, '"pin" is too long')),
})

const MAX_BODY_BYTES = 4 * 1024
const tooLarge = () =>
  new TwoFactorError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`)

/**
 * The body as text, refusing more than MAX_BODY_BYTES: by Content-Length before reading when it is
 * given, else while streaming. (hono/body-limit does the same but wraps every body in a new stream,
 * which cost a quarter of the throughput of a small JSON API in `npm run bench`.)
 */
async function readBodyText(request: Request): Promise<string> {
  const declared = request.headers.get('Content-Length')
  if (declared !== null) {
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge()
    const text = await request.text()
    if (text.length > MAX_BODY_BYTES) throw tooLarge()
    return text
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** The request's JSON body, checked against `schema`. */
export async function readJson<TSchema extends v.GenericSchema>(
  c: Context,
  schema: TSchema,
): Promise<v.InferOutput<TSchema>> {
  const type = c.req.header('Content-Type') ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new TwoFactorError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the request body as JSON (Content-Type: application/json).',
    )
  }
  const text = await readBodyText(c.req.raw)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new TwoFactorError('INVALID_JSON', 'The request body is not valid JSON.')
  }
  const result = v.safeParse(schema, body)
  if (!result.success) {
    const issues = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
    throw new TwoFactorError('INVALID_REQUEST', issues[0]?.message ?? 'The request body is not valid.', {
      issues,
    })
  }
  return result.output
}

export function pinIdParam(c: Context): string {
  const pinId = c.req.param('pinId') ?? ''
  // A malformed id can't exist: answer exactly as for an unknown one.
  if (!PIN_ID_PATTERN.test(pinId)) throw pinUnusable('NOT_FOUND')
  return pinId
}
