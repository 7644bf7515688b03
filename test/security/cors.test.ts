// CORS: the kit's API answers cross-origin only to the origins it was given (`allowedOrigins`);
// none given → same-origin only, no Access-Control-Allow-Origin at all. Only the widget's public
// files (`/widget.js`, its chunks, `/metadata.json`) are for any page to load: `*`.
import { describe, expect, it } from 'vitest'
import { consoleProvider, memoryStore, twoFactor } from '../../server/node.js'

const SHOP = 'https://shop.example'
const silent = { info: () => {}, warn: () => {}, error: () => {} }

/** The Node entry's app, which serves the widget routes next to the API. */
function nodeKit(allowedOrigins?: string[]) {
  return twoFactor(
    { NODE_ENV: 'development' },
    {
      secret: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
      store: memoryStore(),
      sms: consoleProvider({ print: null }),
      logger: silent,
      ...(allowedOrigins ? { allowedOrigins } : {}),
    },
  )
}

const json = (body: unknown, origin: string) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Origin: origin },
  body: JSON.stringify(body),
})

/** One answer of each kind: a read, a send, a verify, an unknown path, a refusal. */
async function apiAnswers(kit: ReturnType<typeof nodeKit>, origin: string) {
  const send = await kit.request('/pin', json({ phoneNumber: '+385911234567' }, origin))
  const { pinId } = (await send.clone().json()) as { pinId: string }
  return {
    'GET /config': await kit.request('/config', { headers: { Origin: origin } }),
    'POST /pin': send,
    'POST /pin/:pinId/verify': await kit.request(`/pin/${pinId}/verify`, json({ pin: '000000' }, origin)),
    'GET /nope (404)': await kit.request('/nope', { headers: { Origin: origin } }),
    'POST /pin with a broken body (400)': await kit.request('/pin', {
      ...json({}, origin),
      body: '{"phoneNumber":',
    }),
  }
}

describe('CORS of the kit’s answers (Node entry, widget routes on)', () => {
  it('without allowedOrigins: no API answer, 404 or refusal carries Access-Control-Allow-Origin', async () => {
    const kit = nodeKit()
    const answers = await apiAnswers(kit, SHOP)
    expect(answers['GET /config'].status).toBe(200)
    expect(answers['POST /pin'].status).toBe(201)
    expect(answers['POST /pin/:pinId/verify'].status).toBe(422)
    expect(answers['GET /nope (404)'].status).toBe(404)
    expect(answers['POST /pin with a broken body (400)'].status).toBe(400)
    for (const [name, response] of Object.entries(answers)) {
      expect(response.headers.get('Access-Control-Allow-Origin'), name).toBeNull()
    }
    const preflight = await kit.request('/pin', {
      method: 'OPTIONS',
      headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST' },
    })
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('with allowedOrigins: exactly the allowed origin, and nothing for another one', async () => {
    const kit = nodeKit([SHOP])
    for (const [name, response] of Object.entries(await apiAnswers(kit, SHOP))) {
      expect(response.headers.get('Access-Control-Allow-Origin'), name).toBe(SHOP)
    }
    for (const [name, response] of Object.entries(await apiAnswers(kit, 'https://evil.example'))) {
      expect(response.headers.get('Access-Control-Allow-Origin'), name).toBeNull()
    }
  })

  it('the widget’s public files stay loadable from any page: *', async () => {
    for (const kit of [nodeKit(), nodeKit([SHOP])]) {
      for (const path of ['/widget.js', '/metadata.json']) {
        const response = await kit.request(path, { headers: { Origin: 'https://any.example' } })
        expect(response.headers.get('Access-Control-Allow-Origin'), path).toBe('*')
        expect(response.headers.get('Cross-Origin-Resource-Policy'), path).toBe('cross-origin')
      }
    }
  })
})
