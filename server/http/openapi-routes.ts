/**
 * Every public route of the kit, for `GET /openapi.json` (openapi.ts): its body and answers as the
 * valibot schemas the routes read (request.ts) and type their answers with (openapi-schemas.ts),
 * and the error codes it can answer. Paths are relative to where the host mounts the kit, in Hono's
 * syntax (`/pin/:pinId`) as the app registers them: test/contract/openapi.test.ts compares them
 * with the app's routes, so a route added here or there alone fails it.
 */
import type * as v from 'valibot'
import type { TwoFactorErrorCode } from '../core/errors.js'
import * as answers from './openapi-schemas.js'
import { SendPinBody, VerifyPinBody } from './request.js'

type Schema = v.GenericSchema

export interface Answer {
  description: string
  /** JSON unless `contentType` says otherwise. */
  schema?: Schema
  contentType?: string
}

export interface RouteDoc {
  method: 'get' | 'post' | 'delete'
  /** Hono's syntax, relative to the kit's mount. */
  path: string
  summary: string
  tag: 'verification' | 'keys' | 'operations' | 'delivery reports' | 'widget' | 'admin'
  query?: Record<string, { description: string; required?: boolean; pattern?: string }>
  body?: Schema
  /** Success (and 304) answers by status. */
  answers: Record<number, Answer>
  /** The refusals this route can answer; grouped by their status in the document. */
  errors: readonly TwoFactorErrorCode[]
  /** Needs `Authorization: Bearer <admin token>`. */
  bearer?: true
}

const BODY_ERRORS = [
  'INVALID_REQUEST',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const
/** What every route that reads the store can answer when the store fails or something breaks. */
const FAILURES = ['STORE_UNAVAILABLE', 'INTERNAL_ERROR'] as const
const SEND_ERRORS = ['RATE_LIMITED', 'SEND_BLOCKED', 'SMS_NOT_SENT', ...FAILURES] as const

const javascript = (description: string): Answer => ({ description, contentType: 'text/javascript' })
const notModified: Answer = { description: 'Not modified (`If-None-Match` matched the ETag).' }
export const ADMIN_ONLY =
  'Present only when the kit has an admin token (`adminToken`, `TWO_FACTOR_ADMIN_TOKEN`).'
const DASHBOARD_ONLY = `${ADMIN_ONLY} Public: the page asks for the token. Only with a built dashboard.`

/** Every public route of the kit. */
export const routeDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/config',
    summary: 'What the widget needs to know: PIN format and timings, countries, captcha.',
    tag: 'verification',
    answers: { 200: { description: 'The public configuration.', schema: answers.ConfigAnswer } },
    errors: [],
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public keys that verify the tokens this kit issues.',
    tag: 'keys',
    answers: { 200: { description: 'A JSON Web Key Set.', schema: answers.JwksAnswer } },
    errors: [],
  },
  {
    method: 'post',
    path: '/pin',
    summary: 'Send a PIN by SMS to a phone number.',
    tag: 'verification',
    body: SendPinBody,
    answers: {
      201: { description: 'The PIN was sent (or handed to a provider).', schema: answers.SendPinAnswer },
    },
    errors: [
      ...BODY_ERRORS,
      'PHONE_NUMBER_INVALID',
      'NUMBER_TYPE_NOT_ALLOWED',
      'NUMBER_NOT_REACHABLE',
      'LOOKUP_FAILED',
      'CAPTCHA_REQUIRED',
      'CAPTCHA_FAILED',
      'CAPTCHA_UNAVAILABLE',
      ...SEND_ERRORS,
    ],
  },
  {
    method: 'post',
    path: '/pin/:pinId/resend',
    summary: 'Send the same PIN again, once the cooldown is over.',
    tag: 'verification',
    answers: { 200: { description: 'The PIN was sent again.', schema: answers.SendPinAnswer } },
    errors: ['PIN_NOT_FOUND', ...SEND_ERRORS],
  },
  {
    method: 'post',
    path: '/pin/:pinId/verify',
    summary: 'Check a PIN; a right one answers a signed token.',
    tag: 'verification',
    body: VerifyPinBody,
    answers: { 200: { description: 'The number is verified.', schema: answers.VerifyPinAnswer } },
    errors: [...BODY_ERRORS, 'PIN_FORMAT_INVALID', 'PIN_NOT_FOUND', 'WRONG_PIN', 'RATE_LIMITED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/pin/:pinId',
    summary: 'A usable PIN’s state and delivery status.',
    tag: 'verification',
    answers: { 200: { description: 'The PIN’s state.', schema: answers.PinStateAnswer } },
    errors: ['PIN_NOT_FOUND', ...FAILURES],
  },
  {
    method: 'get',
    path: '/health',
    summary: 'Whether the store answers.',
    tag: 'operations',
    answers: { 200: { description: 'The store answers.', schema: answers.HealthAnswer } },
    errors: FAILURES,
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document.',
    tag: 'operations',
    answers: { 200: { description: 'OpenAPI 3.1.', schema: answers.OpenApiAnswer } },
    errors: [],
  },
  ...(['get', 'post'] as const).map((method): RouteDoc => ({
    method,
    path: '/reports/:provider',
    summary: `A provider’s delivery-report webhook${method === 'get' ? ' (Vonage accounts set to GET receipts)' : ''}.`,
    tag: 'delivery reports',
    answers: {
      200: {
        description: 'Authentic reports, applied (reports for unknown messages are counted and ignored).',
        schema: answers.DeliveryReportAnswer,
      },
    },
    errors: [
      'NOT_FOUND',
      'INVALID_DELIVERY_REPORT',
      'DELIVERY_REPORT_UNAUTHORIZED',
      // hono/body-limit looks at bodies only: a GET has none.
      ...(method === 'post' ? (['PAYLOAD_TOO_LARGE'] as const) : []),
      ...FAILURES,
    ],
  })),
  {
    method: 'get',
    path: '/widget.js',
    summary: 'The <two-factor-auth> element. Only with the `widget` option.',
    tag: 'widget',
    query: { v: { description: 'The kit’s version: the answer is then cached for a year.' } },
    answers: {
      200: javascript('The element’s script.'),
      304: notModified,
      500: javascript('The script could not be read: a script that says why in the console.'),
    },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/:file{two-factor-auth-[\\w-]+\\.js}',
    summary: 'A lazily loaded chunk of the element (content-hashed name). Only with the `widget` option.',
    tag: 'widget',
    answers: { 200: javascript('The chunk.'), 304: notModified },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/metadata.json',
    summary:
      'Phone-number metadata for the allowed countries, cut to what the widget uses. Only with the `widget` option.',
    tag: 'widget',
    answers: {
      200: { description: 'The metadata.', schema: answers.WidgetMetadataAnswer },
      304: notModified,
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/admin',
    summary: `To the dashboard’s page, \`/admin/\`. ${DASHBOARD_ONLY}`,
    tag: 'admin',
    answers: { 308: { description: 'Permanent redirect to `/admin/`.' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/admin/',
    summary: `The dashboard’s page. ${DASHBOARD_ONLY}`,
    tag: 'admin',
    answers: { 200: { description: 'The page.', contentType: 'text/html' } },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/admin/:file{dashboard[\\w-]*\\.js}',
    summary: `The dashboard’s scripts. ${DASHBOARD_ONLY}`,
    tag: 'admin',
    answers: { 200: javascript('The script.') },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/admin/summary',
    summary: 'The funnel, by country and provider, refusals, spend, blocks and the hours as a series.',
    tag: 'admin',
    bearer: true,
    query: { period: { description: 'hour, day or week (default day).', pattern: '^(hour|day|week)$' } },
    answers: { 200: { description: 'The summary.', schema: answers.AdminSummaryAnswer } },
    errors: ['INVALID_REQUEST', 'ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/admin/verifications',
    summary: 'A number’s recent verifications.',
    tag: 'admin',
    bearer: true,
    query: { phoneNumber: { description: 'International format (+…).', required: true } },
    answers: { 200: { description: 'Newest first.', schema: answers.AdminVerificationsAnswer } },
    errors: ['INVALID_REQUEST', 'ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/admin/blocks',
    summary: 'Scopes under a block or a captcha now.',
    tag: 'admin',
    bearer: true,
    answers: { 200: { description: 'The blocks.', schema: answers.AdminBlocksAnswer } },
    errors: ['ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'delete',
    path: '/admin/blocks/:scope',
    summary: 'Lift a block (`country:HR`, `range:385911234`, …).',
    tag: 'admin',
    bearer: true,
    answers: { 200: { description: 'Whether there was a block.', schema: answers.AdminLiftAnswer } },
    errors: ['ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/admin/allow-list',
    summary: 'The allow-list: the options’ entries and the ones added at run time.',
    tag: 'admin',
    bearer: true,
    answers: { 200: { description: 'The entries.', schema: answers.AdminAllowListAnswer } },
    errors: ['ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'post',
    path: '/admin/allow-list',
    summary: 'Add a number or a 1k range to the allow-list.',
    tag: 'admin',
    bearer: true,
    body: answers.AdminAllowBody,
    answers: { 201: { description: 'Added.', schema: answers.AdminAllowAnswer } },
    errors: [...BODY_ERRORS, 'ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'delete',
    path: '/admin/allow-list/:entry',
    summary: 'Remove an entry added at run time.',
    tag: 'admin',
    bearer: true,
    answers: { 200: { description: 'Whether it was there.', schema: answers.AdminDisallowAnswer } },
    errors: ['INVALID_REQUEST', 'ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/admin/spend',
    summary: 'A day’s estimated spend against the ceilings.',
    tag: 'admin',
    bearer: true,
    query: { day: { description: 'YYYY-MM-DD (UTC); default today.', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
    answers: { 200: { description: 'The spend.', schema: answers.AdminSpendAnswer } },
    errors: ['INVALID_REQUEST', 'ADMIN_UNAUTHORIZED', ...FAILURES],
  },
  {
    method: 'get',
    path: '/admin/metrics',
    summary: 'Prometheus text exposition of the running totals.',
    tag: 'admin',
    bearer: true,
    answers: { 200: { description: 'Prometheus text (0.0.4).', contentType: 'text/plain' } },
    errors: ['ADMIN_UNAUTHORIZED', ...FAILURES],
  },
]
