/**
 * Each answer `GET /openapi.json` documents — every route × status, error statuses included — is
 * what the real kit sends: a test per route and status drives the kit into that situation and
 * checks the status, the media type and the body against the documented JSON Schema (ajv, strict).
 * The check is stricter than the document: an object may hold no property the document does not
 * name. A documented status with no situation here fails; so does a situation for an answer the
 * document does not list.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { openApiDocument } from '../../server/http/openapi.js'
import { ProviderError, type SmsMessage, type SmsProvider } from '../../server/providers/types.js'
import { memoryStore, type TwoFactorInit } from '../../server/index.js'
import type { TwoFactorStore } from '../../server/stores/types.js'
import { fakeClock, makeKit, MOBILE_HR } from '../helpers/kit.js'
import { acceptComponents, resolved, withComponents } from './openapi-refs.js'

const ADMIN_TOKEN = 'Xq3v9Lr7Tz1Wb5Nc8Hd2Jf6Kg4Mp0Ys+QeRaUoViAs='
const UNKNOWN_PIN_ID = '0123456789ABCDEF0123456789ABCDEF'
const LANDLINE_HR = '+38514567890'
const WIDGET_FILES: Record<string, string> = {
  'two-factor-auth.js': 'export {}',
  'two-factor-auth-abc123.js': 'export const chunk = 1',
}

/** A provider that records its SMS, refuses them on demand, and takes delivery reports. */
function fakeProvider() {
  const outbox: SmsMessage[] = []
  const state = { refuse: false }
  const provider: SmsProvider = {
    name: 'fake',
    async send(message) {
      if (state.refuse) throw new ProviderError('permanent', 'fake', 'refused by the test')
      outbox.push(message)
      return { messageId: `fake-${outbox.length}`, status: 'ACCEPTED', provider: 'fake' }
    },
    async parseDeliveryReports(request) {
      const fault = new URL(request.url).searchParams.get('fault')
      if (fault === 'unauthorized' || fault === 'malformed')
        throw new ProviderError(fault, 'fake', `a ${fault} report`)
      return [{ messageId: 'fake-1', status: 'DELIVERED' }]
    },
  }
  return { provider, outbox, state }
}

/** A memory store whose every call fails once `fault.error` is set. */
function faultyStore(clock: () => number) {
  const fault: { error?: Error } = {}
  const store = new Proxy(memoryStore({ clock }), {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        fault.error
          ? Promise.reject(fault.error)
          : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  }) as TwoFactorStore
  return { store, fault }
}

/** A kit with every part on (admin API, dashboard, widget, delivery reports) and levers for faults. */
function contractKit(overrides: TwoFactorInit = {}) {
  const clock = fakeClock()
  const { store, fault } = faultyStore(clock.now)
  const sms = fakeProvider()
  const kit = makeKit({
    clock: clock.now,
    store,
    sms: sms.provider,
    adminToken: ADMIN_TOKEN,
    widget: { loadScript: async (file) => WIDGET_FILES[file], version: '1.2.3' },
    dashboard: {
      loadScript: async (file) =>
        file === 'index.html' || file === 'dashboard.js' ? `/* ${file} */` : undefined,
    },
    ...overrides,
  })
  const request = (path: string, init: RequestInit = {}) => kit.app.request(path, init)
  const admin = (path: string, init: RequestInit = {}) =>
    request(`/admin${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers },
    })
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  async function sendPin() {
    const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
    if (response.status !== 201) throw new Error(`POST /pin → ${response.status} ${await response.text()}`)
    const { pinId } = (await response.json()) as { pinId: string }
    const pin = /^(\S+) /.exec(sms.outbox.at(-1)?.text ?? '')?.[1] ?? ''
    return { pinId, pin }
  }
  const failStore = () => (fault.error = new StoreError('the test unplugged the store'))
  const breakStore = () => (fault.error = new Error('a bug'))
  return { ...kit, clock, sms, request, admin, json, sendPin, failStore, breakStore }
}
type Kit = ReturnType<typeof contractKit>

/** Asks for a 304 with the ETag of a first answer. */
async function revalidated(kit: Kit, path: string) {
  const etag = (await kit.request(path)).headers.get('ETag') ?? ''
  return kit.request(path, { headers: { 'If-None-Match': etag } })
}
const tooLarge = JSON.stringify({ phoneNumber: 'x'.repeat(5000) })
const asText = { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }

type Situation = (kit: Kit) => Response | Promise<Response>
/** The same situation for the store failing (503) and breaking (500). */
const storeFaults = (prepare: (kit: Kit) => Promise<unknown>, go: Situation): Record<number, Situation> => ({
  500: async (kit) => (await prepare(kit), kit.breakStore(), go(kit)),
  503: async (kit) => (await prepare(kit), kit.failStore(), go(kit)),
})
const nothing = async () => undefined

/** How to get each documented answer, by OpenAPI operation id (`method path`) and status. */
const situations: Record<string, Record<number, Situation>> = {
  'get /config': { 200: (kit) => kit.request('/config') },
  'get /.well-known/jwks.json': { 200: (kit) => kit.request('/.well-known/jwks.json') },
  'get /openapi.json': { 200: (kit) => kit.request('/openapi.json') },
  'get /health': {
    200: (kit) => kit.request('/health'),
    ...storeFaults(nothing, (kit) => kit.request('/health')),
  },
  'post /pin': {
    201: (kit) => kit.post('/pin', { phoneNumber: MOBILE_HR }),
    400: (kit) => kit.post('/pin', {}),
    403: (kit) => contractKit({ allowedCountries: ['DE'] }).post('/pin', { phoneNumber: MOBILE_HR }),
    413: (kit) => kit.post('/pin', tooLarge),
    415: (kit) => kit.request('/pin', asText),
    422: (kit) => kit.post('/pin', { phoneNumber: LANDLINE_HR }),
    429: async (kit) => {
      const limited = contractKit({ sendPinPerPhoneNumberLimit: '1/1h' })
      await limited.sendPin()
      return limited.post('/pin', { phoneNumber: MOBILE_HR })
    },
    502: (kit) => ((kit.sms.state.refuse = true), kit.post('/pin', { phoneNumber: MOBILE_HR })),
    ...storeFaults(nothing, (kit) => kit.post('/pin', { phoneNumber: MOBILE_HR })),
  },
  'post /pin/{pinId}/resend': {
    200: async (kit) => {
      const { pinId } = await kit.sendPin()
      kit.clock.advance(60_000)
      return kit.post(`/pin/${pinId}/resend`)
    },
    403: async (kit) => {
      // A day's ceiling of one and a half SMS to Croatia (0.10 each in the default prices).
      const capped = contractKit({ dailySpendLimit: 0.15 })
      const { pinId } = await capped.sendPin()
      capped.clock.advance(60_000)
      return capped.post(`/pin/${pinId}/resend`)
    },
    404: (kit) => kit.post(`/pin/${UNKNOWN_PIN_ID}/resend`),
    429: async (kit) => kit.post(`/pin/${(await kit.sendPin()).pinId}/resend`),
    502: async (kit) => {
      const { pinId } = await kit.sendPin()
      kit.clock.advance(60_000)
      kit.sms.state.refuse = true
      return kit.post(`/pin/${pinId}/resend`)
    },
    ...storeFaults(nothing, (kit) => kit.post(`/pin/${UNKNOWN_PIN_ID}/resend`)),
  },
  'post /pin/{pinId}/verify': {
    200: async (kit) => {
      const { pinId, pin } = await kit.sendPin()
      return kit.post(`/pin/${pinId}/verify`, { pin })
    },
    400: async (kit) => kit.post(`/pin/${(await kit.sendPin()).pinId}/verify`, { pin: '1' }),
    404: (kit) => kit.post(`/pin/${UNKNOWN_PIN_ID}/verify`, { pin: '123456' }),
    413: (kit) => kit.post(`/pin/${UNKNOWN_PIN_ID}/verify`, tooLarge),
    415: (kit) => kit.request(`/pin/${UNKNOWN_PIN_ID}/verify`, asText),
    422: async (kit) => {
      const { pinId, pin } = await kit.sendPin()
      return kit.post(`/pin/${pinId}/verify`, { pin: pin === '000000' ? '111111' : '000000' })
    },
    429: async (kit) => {
      const limited = contractKit({ verifyPinLimit: '1/1h' })
      const { pinId } = await limited.sendPin()
      await limited.post(`/pin/${pinId}/verify`, { pin: '000000' })
      return limited.post(`/pin/${pinId}/verify`, { pin: '000000' })
    },
    ...storeFaults(nothing, (kit) => kit.post(`/pin/${UNKNOWN_PIN_ID}/verify`, { pin: '123456' })),
  },
  'get /pin/{pinId}': {
    200: async (kit) => kit.request(`/pin/${(await kit.sendPin()).pinId}`),
    404: (kit) => kit.request(`/pin/${UNKNOWN_PIN_ID}`),
    ...storeFaults(nothing, (kit) => kit.request(`/pin/${UNKNOWN_PIN_ID}`)),
  },
  'get /reports/{provider}': {
    200: (kit) => kit.request('/reports/fake'),
    400: (kit) => kit.request('/reports/fake?fault=malformed'),
    401: (kit) => kit.request('/reports/fake?fault=unauthorized'),
    404: (kit) => kit.request('/reports/nobody'),
    ...storeFaults(nothing, (kit) => kit.request('/reports/fake')),
  },
  'post /reports/{provider}': {
    200: async (kit) => (await kit.sendPin(), kit.request('/reports/fake', kit.json([]))),
    400: (kit) => kit.request('/reports/fake?fault=malformed', kit.json([])),
    401: (kit) => kit.request('/reports/fake?fault=unauthorized', kit.json([])),
    404: (kit) => kit.request('/reports/nobody', kit.json([])),
    413: (kit) => kit.request('/reports/fake', kit.json('x'.repeat(1_048_577))),
    ...storeFaults(nothing, (kit) => kit.request('/reports/fake', kit.json([]))),
  },
  'get /widget.js': {
    200: (kit) => kit.request('/widget.js'),
    304: (kit) => revalidated(kit, '/widget.js'),
    404: () =>
      contractKit({ widget: { loadScript: async () => undefined, version: '1.2.3' } }).request('/widget.js'),
    500: () =>
      contractKit({
        widget: { loadScript: () => Promise.reject(new Error('dist/widget is not built')), version: '1.2.3' },
      }).request('/widget.js'),
  },
  'get /{file}': {
    200: (kit) => kit.request('/two-factor-auth-abc123.js'),
    304: (kit) => revalidated(kit, '/two-factor-auth-abc123.js'),
    404: (kit) => kit.request('/two-factor-auth-missing.js'),
  },
  'get /metadata.json': {
    200: (kit) => kit.request('/metadata.json'),
    304: (kit) => revalidated(kit, '/metadata.json'),
  },
  'get /admin': { 308: (kit) => kit.request('/admin') },
  'get /admin/': {
    200: (kit) => kit.request('/admin/'),
    404: () => contractKit({ dashboard: { loadScript: async () => undefined } }).request('/admin/'),
  },
  'get /admin/{file}': {
    200: (kit) => kit.request('/admin/dashboard.js'),
    404: (kit) => kit.request('/admin/dashboard-missing.js'),
  },
  'get /admin/summary': {
    200: async (kit) => (await kit.sendPin(), kit.admin('/summary?period=week')),
    400: (kit) => kit.admin('/summary?period=year'),
    401: (kit) => kit.request('/admin/summary'),
    ...storeFaults(nothing, (kit) => kit.admin('/summary')),
  },
  'get /admin/verifications': {
    200: async (kit) => (
      await kit.sendPin(),
      kit.admin(`/verifications?phoneNumber=${encodeURIComponent(MOBILE_HR)}`)
    ),
    400: (kit) => kit.admin('/verifications'),
    401: (kit) => kit.request('/admin/verifications'),
    ...storeFaults(nothing, (kit) =>
      kit.admin(`/verifications?phoneNumber=${encodeURIComponent(MOBILE_HR)}`),
    ),
  },
  'get /admin/blocks': {
    200: (kit) => kit.admin('/blocks'),
    401: (kit) => kit.request('/admin/blocks'),
    ...storeFaults(nothing, (kit) => kit.admin('/blocks')),
  },
  'delete /admin/blocks/{scope}': {
    200: (kit) => kit.admin('/blocks/country:HR', { method: 'DELETE' }),
    401: (kit) => kit.request('/admin/blocks/country:HR', { method: 'DELETE' }),
    ...storeFaults(nothing, (kit) => kit.admin('/blocks/country:HR', { method: 'DELETE' })),
  },
  'get /admin/allow-list': {
    200: async (kit) => {
      await kit.admin(
        '/allow-list',
        kit.json({ entry: '+385911234xxx', note: 'QA', until: Date.now() + 3_600_000 }),
      )
      return kit.admin('/allow-list')
    },
    401: (kit) => kit.request('/admin/allow-list'),
    ...storeFaults(nothing, (kit) => kit.admin('/allow-list')),
  },
  'post /admin/allow-list': {
    201: (kit) => kit.admin('/allow-list', kit.json({ entry: MOBILE_HR, note: 'QA' })),
    400: (kit) => kit.admin('/allow-list', kit.json({ entry: 'nonsense' })),
    401: (kit) => kit.request('/admin/allow-list', kit.json({ entry: MOBILE_HR })),
    413: (kit) => kit.admin('/allow-list', kit.json(tooLarge)),
    415: (kit) => kit.admin('/allow-list', asText),
    ...storeFaults(nothing, (kit) => kit.admin('/allow-list', kit.json({ entry: MOBILE_HR }))),
  },
  'delete /admin/allow-list/{entry}': {
    200: (kit) => kit.admin(`/allow-list/${encodeURIComponent(MOBILE_HR)}`, { method: 'DELETE' }),
    400: (kit) => kit.admin('/allow-list/nonsense', { method: 'DELETE' }),
    401: (kit) => kit.request(`/admin/allow-list/${encodeURIComponent(MOBILE_HR)}`, { method: 'DELETE' }),
    ...storeFaults(nothing, (kit) =>
      kit.admin(`/allow-list/${encodeURIComponent(MOBILE_HR)}`, { method: 'DELETE' }),
    ),
  },
  'get /admin/spend': {
    200: async (kit) => (await kit.sendPin(), kit.admin('/spend')),
    400: (kit) => kit.admin('/spend?day=yesterday'),
    401: (kit) => kit.request('/admin/spend'),
    ...storeFaults(nothing, (kit) => kit.admin('/spend')),
  },
  'get /admin/metrics': {
    200: async (kit) => (await kit.sendPin(), kit.admin('/metrics')),
    401: (kit) => kit.request('/admin/metrics'),
    ...storeFaults(nothing, (kit) => kit.admin('/metrics')),
  },
}

type JsonSchema = {
  type?: string
  properties?: object
  additionalProperties?: unknown
  [key: string]: unknown
}

/**
 * The schema with `additionalProperties: false` on every object that doesn't say: no undocumented
 * field. Except beside a `$ref` (an error answer's `code`, narrowed in the shared envelope): that
 * object only narrows the schema the `$ref` names, which is closed itself; closed too, it would
 * refuse every member it does not repeat.
 */
function closed(schema: unknown, narrowing = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closed(item, narrowing))
  if (!schema || typeof schema !== 'object') return schema
  const narrows = narrowing || '$ref' in schema
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, closed(value, narrows)]),
  ) as JsonSchema
  if (!narrows && copy.type === 'object' && copy.properties && !('additionalProperties' in copy))
    copy.additionalProperties = false
  return copy
}

type Answer = { content?: Record<string, { schema: object }> }
type Operation = {
  /** An answer, or a `$ref` to one shared in `components.responses` (every error answer). */
  responses: Record<string, Answer | { $ref: string }>
}
const document = openApiDocument('1.2.3') as {
  paths: Record<string, Record<string, Operation>>
  components: object
}
const ajv = acceptComponents(new Ajv2020({ strict: true, allErrors: true }))
addFormats.default(ajv)
/** The documented schema, closed, its `$ref`s resolved in the (closed) document. */
const compile = (schema: object) => ajv.compile(withComponents(document, schema, (part) => closed(part)))

const documented = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).flatMap(([method, operation]) =>
    Object.entries(operation.responses).map(([status, answer]) => ({
      id: `${method} ${path}`,
      status: Number(status),
      content: resolved(document, answer).content,
    })),
  ),
)

describe('every documented answer is what the kit sends', () => {
  for (const { id, status, content } of documented) {
    it(`${id} → ${status}`, async () => {
      const situation = situations[id]?.[status]
      expect(situation, `no situation in this test produces ${id} → ${status}`).toBeDefined()
      const response = await situation!(contractKit())
      const body = await response.text()
      expect(response.status, body).toBe(status)
      if (!content) {
        expect(body).toBe('')
        return
      }
      const [mediaType, { schema }] = Object.entries(content)[0]!
      expect(response.headers.get('Content-Type')).toMatch(new RegExp(`^${mediaType}\\b`))
      if (mediaType !== 'application/json') return
      const validate = compile(schema)
      const valid = validate(JSON.parse(body))
      expect(valid, `${body}\n${JSON.stringify(validate.errors, null, 2)}`).toBe(true)
    })
  }

  it('a shared error answer refuses a body with another status’s code, an undocumented member or no message', () => {
    const answer = documented.find(({ id, status }) => id === 'get /health' && status === 503)
    const validate = compile(answer!.content!['application/json']!.schema)
    const message = 'The store did not answer.'
    expect(validate({ error: { code: 'STORE_UNAVAILABLE', message, retryAfter: 5 } })).toBe(true)
    expect(validate({ error: { code: 'INTERNAL_ERROR', message } })).toBe(false)
    expect(validate({ error: { code: 'STORE_UNAVAILABLE', message, hint: 'x' } })).toBe(false)
    expect(validate({ error: { code: 'STORE_UNAVAILABLE', message }, extra: 1 })).toBe(false)
    expect(validate({ error: { code: 'STORE_UNAVAILABLE' } })).toBe(false)
    expect(validate({ error: { code: 'STORE_UNAVAILABLE', message, retryAfter: -1 } })).toBe(false)
  })

  it('every situation here is a documented answer (none left over from a removed one)', () => {
    const answers = new Set(documented.map(({ id, status }) => `${id} → ${status}`))
    const produced = Object.entries(situations).flatMap(([id, byStatus]) =>
      Object.keys(byStatus).map((status) => `${id} → ${status}`),
    )
    expect(produced.filter((answer) => !answers.has(answer))).toEqual([])
  })
})
