/**
 * `GET /openapi.json`: the kit's HTTP API as an OpenAPI 3.1 document, generated from the valibot
 * schemas the routes read (request.ts) and type their answers with (openapi-schemas.ts). Error
 * answers are grouped by status from `errorStatus`, the one error → HTTP mapping, and shared by
 * `$ref` (`components.responses`, their envelope `components.schemas.Error`).
 *
 * The server doesn't run it: scripts/openapi-document.ts writes its output to openapi-document.ts,
 * which app.ts serves, so the JSON Schema conversion stays out of the server and of a Worker's
 * bundle (test/contract/openapi-document.test.ts keeps the two equal).
 *
 * Paths are relative to where the host mounts the kit (`servers: [{ url: '.' }]`); the routes are
 * listed in openapi-routes.ts.
 */
import { toJsonSchema } from '@valibot/to-json-schema'
import * as v from 'valibot'
import { errorStatus, type TwoFactorErrorCode } from '../core/errors.js'
import { ADMIN_ONLY, routeDocs, type RouteDoc } from './openapi-routes.js'
import { ErrorAnswer } from './openapi-schemas.js'

type Schema = v.GenericSchema

type JsonSchema = Record<string, unknown>

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a valibot schema, as a client sends or reads it. */
export function jsonSchemaOf(schema: Schema): JsonSchema {
  // A body's trimming and upper-casing are the server's courtesy: the document asks for the tidy form.
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    ignoreActions: ['trim', 'to_upper_case'],
  })
  return converted as JsonSchema
}

/** `/pin/:pinId` → `/pin/{pinId}`, and the path parameters with their patterns. */
export function openApiPath(honoPath: string): {
  path: string
  parameters: Array<{ name: string; pattern?: string }>
} {
  const parameters: Array<{ name: string; pattern?: string }> = []
  const path = honoPath.replace(
    /:(\w+)(?:\{((?:[^{}\\]|\\.)+)\})?/g,
    (_match, name: string, pattern?: string) => {
      parameters.push(pattern ? { name, pattern: `^${pattern}$` } : { name })
      return `{${name}}`
    },
  )
  return { path, parameters }
}

/**
 * The error answers a document shares: each once in `components.responses`, named by its codes
 * (`INVALID_REQUEST-INVALID_JSON`), routes pointing at it with `$ref`, and each of them the one
 * envelope (`components.schemas.Error`) with `code` narrowed to its codes. Sixteen routes answer
 * INTERNAL_ERROR alone: written out in each route, the error answers were 120 of the document's 145 KB.
 */
type SharedAnswers = Record<string, unknown>

/** The error answers of `codes`, one per status (taken from `errorStatus`), each a `$ref` into `shared`. */
function errorAnswers(codes: readonly TwoFactorErrorCode[], shared: SharedAnswers): Record<string, unknown> {
  const byStatus = new Map<number, TwoFactorErrorCode[]>()
  for (const code of codes) {
    const status = errorStatus[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => {
      const name = group.join('-')
      // JSON Schema 2020-12 applies a `$ref` and the keywords beside it together: the envelope,
      // and `code` one of these. A tool that reads the `$ref` alone (OpenAPI 3.0's rule) still
      // sees the envelope, its `code` any string.
      shared[name] ??= {
        description: group.join(', '),
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
              type: 'object',
              properties: {
                error: { type: 'object', properties: { code: jsonSchemaOf(v.picklist(group)) } },
              },
            },
          },
        },
      }
      return [status, { $ref: `#/components/responses/${name}` }]
    }),
  )
}

function operation(route: RouteDoc, shared: SharedAnswers): Record<string, unknown> {
  const { path, parameters } = openApiPath(route.path)
  const responses: Record<string, unknown> = errorAnswers(route.errors, shared)
  for (const [status, answer] of Object.entries(route.answers)) {
    responses[status] = {
      description: answer.description,
      ...(answer.schema
        ? { content: { 'application/json': { schema: jsonSchemaOf(answer.schema) } } }
        : answer.contentType
          ? { content: { [answer.contentType]: { schema: { type: 'string' } } } }
          : {}),
    }
  }
  return {
    operationId: `${route.method} ${path}`,
    summary: route.summary,
    ...(route.tag === 'admin' ? { description: ADMIN_ONLY } : {}),
    tags: [route.tag],
    ...(route.bearer ? { security: [{ adminToken: [] }] } : {}),
    parameters: [
      ...parameters.map(({ name, pattern }) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string', ...(pattern ? { pattern } : {}) },
      })),
      ...Object.entries(route.query ?? {}).map(([name, { description, required, pattern }]) => ({
        name,
        in: 'query',
        description,
        required: required ?? false,
        schema: { type: 'string', ...(pattern ? { pattern } : {}) },
      })),
    ],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(route.body) } },
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  }
}

/** The document. `version`: the kit's, when the host told it (the `widget` option carries it). */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const shared: SharedAnswers = {}
  for (const route of routeDocs) {
    const { path } = openApiPath(route.path)
    paths[path] = { ...paths[path], [route.method]: operation(route, shared) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'two-factor-kit',
      version,
      description:
        'SMS phone verification that ends in a signed JWT. Every refusal is `{ error: { code, message, …details } }`; clients switch on `code`.',
    },
    servers: [{ url: '.', description: 'Where the host mounts the kit (e.g. /2fa).' }],
    tags: [
      { name: 'verification' },
      { name: 'keys' },
      { name: 'operations' },
      { name: 'delivery reports', description: 'Called by SMS providers, not browsers.' },
      { name: 'widget', description: 'Present only when the kit serves the widget (the `widget` option).' },
      { name: 'admin', description: ADMIN_ONLY },
    ],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: `The admin token. ${ADMIN_ONLY}` },
      },
      schemas: { Error: jsonSchemaOf(ErrorAnswer) },
      responses: shared,
    },
    paths,
  }
}
