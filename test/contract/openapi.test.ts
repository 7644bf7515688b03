/**
 * `GET /openapi.json` as a document: OpenAPI 3.1 in its structure, every schema in it a schema a
 * strict JSON Schema 2020-12 validator accepts, and exactly the routes the app has — a route added
 * without its documentation fails here. That each documented answer is what the server sends is
 * openapi-answers.test.ts.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { errorStatus } from '../../server/core/errors.js'
import { openApiPath } from '../../server/http/openapi.js'
import { makeKit } from '../helpers/kit.js'
import { acceptComponents, pointee, refsIn, resolved, withComponents } from './openapi-refs.js'

const ADMIN_TOKEN = 'Xq3v9Lr7Tz1Wb5Nc8Hd2Jf6Kg4Mp0Ys+QeRaUoViAs='
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

type Answer = { description: string; content?: Record<string, { schema: object }> }
type Operation = {
  operationId: string
  parameters: Array<{ name: string; in: string; required: boolean; schema: object }>
  requestBody?: { content: Record<string, { schema: object }> }
  /** An answer, or a `$ref` to one shared in `components.responses`. */
  responses: Record<string, Answer | { $ref: string }>
  security?: Array<Record<string, string[]>>
}
type Document = {
  openapi: string
  info: { title: string; version: string }
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>
    schemas: Record<string, object>
    responses: Record<string, Answer>
  }
}

/** A kit with every optional part on: admin API, dashboard, widget. */
function fullKit() {
  return makeKit({
    adminToken: ADMIN_TOKEN,
    widget: { loadScript: async () => 'export {}', version: '1.2.3' },
    dashboard: { loadScript: async () => '<!doctype html>' },
  })
}

async function fetchDocument() {
  const response = await fullKit().get('/openapi.json')
  return { response, document: (await response.json()) as Document }
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  )

describe('GET /openapi.json', () => {
  it('answers 200 JSON, public for 300 s, OpenAPI 3.1.0 with a relative server (the kit does not know its mount)', async () => {
    const { response, document } = await fetchDocument()
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300')
    expect(document.openapi).toBe('3.1.0')
    expect(document.info).toMatchObject({ title: 'two-factor-kit', version: '1.2.3' })
    expect(document.servers).toEqual([expect.objectContaining({ url: '.' })])
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('is structurally OpenAPI 3.1: path templates match their path parameters, operations have unique ids, responses have descriptions and 3-digit statuses', async () => {
    const { document } = await fetchDocument()
    const ids = new Set<string>()
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\//)
      for (const [method, operation] of Object.entries(item)) {
        expect(METHODS).toContain(method)
        expect(ids.has(operation.operationId), operation.operationId).toBe(false)
        ids.add(operation.operationId)
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()
        const declared = operation.parameters.filter((p) => p.in === 'path')
        expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated)
        for (const parameter of declared) expect(parameter.required).toBe(true)
        for (const scheme of (operation.security ?? []).flatMap(Object.keys))
          expect(document.components.securitySchemes).toHaveProperty(scheme)
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0)
        for (const [status, answer] of Object.entries(operation.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/)
          expect(resolved(document, answer).description, `${method} ${path} ${status}`).toEqual(
            expect.any(String),
          )
        }
      }
    }
  })

  it('every schema in it compiles in a strict JSON Schema 2020-12 validator (ajv strict mode), its $refs resolved in the document', async () => {
    const { document } = await fetchDocument()
    const ajv = acceptComponents(new Ajv2020({ strict: true }))
    addFormats.default(ajv)
    let compiled = 0
    const answers = [
      ...operations(document).flatMap(({ operation }) => Object.values(operation.responses)),
      ...Object.values(document.components.responses),
    ].map((answer) => resolved(document, answer))
    const schemas = [
      ...operations(document).flatMap(({ operation }) => [
        ...Object.values(operation.requestBody?.content ?? {}).map(({ schema }) => schema),
        ...operation.parameters.map(({ schema }) => schema),
      ]),
      ...answers.flatMap((answer) => Object.values(answer.content ?? {}).map(({ schema }) => schema)),
      ...Object.values(document.components.schemas),
    ]
    for (const schema of schemas) {
      ajv.compile(withComponents(document, schema))
      compiled += 1
    }
    expect(compiled).toBeGreaterThan(50)
  })

  it('holds each error answer once, in components.responses under its codes, and every route refers to it there', async () => {
    const { document } = await fetchDocument()
    const referred = new Set<string>()
    for (const { path, method, operation } of operations(document)) {
      for (const [status, answer] of Object.entries(operation.responses)) {
        if ('$ref' in answer) {
          referred.add(answer.$ref)
          continue
        }
        // Not shared: then it is no error answer (a success, a 304, the widget's script of a 500).
        const schema = answer.content?.['application/json']?.schema as { properties?: object } | undefined
        expect(schema?.properties ?? {}, `${method} ${path} ${status}`).not.toHaveProperty('error')
      }
    }
    const shared = Object.keys(document.components.responses).map((name) => `#/components/responses/${name}`)
    expect([...referred].sort()).toEqual(shared.sort())
    for (const [name, answer] of Object.entries(document.components.responses)) {
      expect(name).toMatch(/^[a-zA-Z0-9.\-_]+$/) // what OpenAPI allows as a component's name
      expect(answer.description.split(', ').join('-'), name).toBe(name)
    }
  })

  it('every $ref in it points at something in the document', async () => {
    const { document } = await fetchDocument()
    const refs = refsIn(document)
    expect(refs.length).toBeGreaterThan(50)
    for (const ref of new Set(refs)) expect(pointee(document, ref), ref).toBeDefined()
  })

  it('each error answer lists only codes of its own status in errorStatus', async () => {
    const { document } = await fetchDocument()
    let checked = 0
    for (const { path, method, operation } of operations(document)) {
      for (const [status, answer] of Object.entries(operation.responses)) {
        const schema = resolved(document, answer).content?.['application/json']?.schema as
          { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } | undefined
        const codes = schema?.properties?.error?.properties?.code?.enum
        if (!codes) continue
        checked += 1
        for (const code of codes)
          expect(errorStatus[code as keyof typeof errorStatus], `${method} ${path} ${status} ${code}`).toBe(
            Number(status),
          )
      }
    }
    // Every error answer of every route (77 when this was written), not none found.
    expect(checked).toBeGreaterThan(70)
  })

  it('documents exactly the routes the app has (admin, dashboard and widget on): none missing, none left over', async () => {
    const { document } = await fetchDocument()
    const routed = new Set(
      fullKit()
        .app.routes.filter((route) => route.method !== 'ALL') // middleware and the catch-all 404
        .map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path).path}`),
    )
    // Answered by middleware: the dashboard's page (the folder's index, `/admin/`), and the widget's
    // chunks and the dashboard's scripts (a parameter route beside static paths would cost the host
    // Hono's RegExpRouter).
    routed.add('get /admin/')
    routed.add(`get ${openApiPath('/:file{two-factor-auth-[\\w-]+\\.js}').path}`)
    routed.add(`get ${openApiPath('/admin/:file{dashboard[\\w-]*\\.js}').path}`)
    const documented = new Set(operations(document).map(({ method, path }) => `${method} ${path}`))
    expect([...documented].sort()).toEqual([...routed].sort())
  })

  it('marks exactly the admin API (without the dashboard page and its scripts) as needing the bearer token', async () => {
    const { document } = await fetchDocument()
    const bearer = operations(document)
      .filter(({ operation }) => operation.security?.some((scheme) => 'adminToken' in scheme))
      .map(({ method, path }) => `${method} ${path}`)
    expect(bearer.sort()).toEqual(
      [
        'get /admin/summary',
        'get /admin/verifications',
        'get /admin/blocks',
        'delete /admin/blocks/{scope}',
        'get /admin/allow-list',
        'post /admin/allow-list',
        'delete /admin/allow-list/{entry}',
        'get /admin/spend',
        'get /admin/metrics',
      ].sort(),
    )
  })
})
