/**
 * The Workers entry mounts the widget's routes as the Node entry does (through the kit's options,
 * before its last route): the widget's files answer `*` to any page, the API answers cross-origin
 * to `allowedOrigins` only, and an unmatched path under a host's mount is the kit's envelope.
 */
import { SELF } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { TwoFactorInit } from '../../server/index.js'
import { consoleProvider } from '../../server/providers/console.js'
import { twoFactor, type AssetsFetcher, type TwoFactorWorkerEnv } from '../../server/workers.js'

const SHOP = 'https://shop.example'
const files: Record<string, string> = {
  'two-factor-auth.js': 'export const widget = 1',
  'two-factor-auth-phone-number-AbC123.js': 'export const phone = 1',
}
/** Stands in for the Workers Static Assets binding over dist/widget/. */
const assets: AssetsFetcher = {
  async fetch(input) {
    const text = files[new URL(input).pathname.slice(1)]
    return text === undefined ? new Response('', { status: 404 }) : new Response(text)
  },
}

function kit(overrides: TwoFactorInit = {}) {
  const workerEnv: TwoFactorWorkerEnv = { ...env, TWO_FACTOR_WIDGET: assets }
  const quiet = { info: () => {}, warn: () => {}, error: () => {} }
  return twoFactor(workerEnv, { sms: consoleProvider({ print: null }), logger: quiet, ...overrides })
}

const from = (origin: string) => ({ headers: { Origin: origin } })

describe('the Workers entry with the widget bound', () => {
  it('serves /widget.js, its chunks and /metadata.json to any page (*)', async () => {
    const app = kit({ allowedOrigins: [SHOP] })
    for (const path of ['/widget.js', '/two-factor-auth-phone-number-AbC123.js', '/metadata.json']) {
      const response = await app.request(path, from('https://any.example'))
      expect(response.status, path).toBe(200)
      expect(response.headers.get('Access-Control-Allow-Origin'), path).toBe('*')
    }
    expect(await (await app.request('/widget.js')).text()).toBe(files['two-factor-auth.js'])
  })

  it('sends the widget’s files as they are, with Vary: Accept-Encoding: Cloudflare’s edge compresses them', async () => {
    const app = kit()
    const accepting = { headers: { 'Accept-Encoding': 'gzip, deflate, br' } }
    for (const path of ['/widget.js', '/two-factor-auth-phone-number-AbC123.js', '/metadata.json']) {
      const response = await app.request(path, accepting)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('Content-Encoding'), path).toBeNull()
      expect(response.headers.get('Vary'), path).toBe('Accept-Encoding')
    }
    expect(await (await app.request('/widget.js', accepting)).text()).toBe(files['two-factor-auth.js'])
    const metadata = await app.request('/metadata.json', accepting)
    expect(await metadata.json()).toMatchObject({ metadata: { countries: expect.any(Object) } })
  })

  it('a body the routes compressed themselves crosses workerd encoded once (encodeBody: manual)', async () => {
    // SELF.fetch decodes the one Content-Encoding it is told of: twice-encoded bytes would not parse.
    const response = await SELF.fetch('https://kit.example/metadata.json', {
      headers: { 'Accept-Encoding': 'gzip' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(await response.json()).toMatchObject({ metadata: { countries: { HR: expect.any(Array) } } })
  })

  it('answers the API, a 404 and a refusal with no CORS header without allowedOrigins', async () => {
    const app = kit()
    const answers = {
      config: await app.request('/config', from(SHOP)),
      unknownPath: await app.request('/nope', from(SHOP)),
      missingChunk: await app.request('/two-factor-auth-nope-1.js', from(SHOP)),
      refusal: await app.request('/pin', { method: 'POST', headers: { Origin: SHOP }, body: '{' }),
    }
    expect(answers.config.status).toBe(200)
    expect(answers.unknownPath.status).toBe(404)
    expect(answers.refusal.status).toBe(415)
    for (const [name, response] of Object.entries(answers)) {
      if (name !== 'missingChunk') {
        expect(response.headers.get('Access-Control-Allow-Origin'), name).toBeNull()
      }
    }
    expect(await answers.missingChunk.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('answers the API cross-origin to an allowed origin only', async () => {
    const app = kit({ allowedOrigins: [SHOP] })
    const allowed = await app.request('/config', from(SHOP))
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe(SHOP)
    const other = await app.request('/config', from('https://evil.example'))
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('mounted in a host: an unmatched path under the mount is the kit’s 404 envelope', async () => {
    const host = new Hono()
    host.route('/2fa', kit())
    const response = await host.request('/2fa/nope')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /2fa/nope.' },
    })
    expect((await host.request('/2fa/widget.js')).status).toBe(200)
  })
})

describe('the Workers entry without the widget bound', () => {
  it('without the widget bound, /metadata.json goes out as it is too (Vary), for the edge to compress', async () => {
    const app = twoFactor(env as TwoFactorWorkerEnv, {
      sms: consoleProvider({ print: null }),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    })
    const response = await app.request('/metadata.json', { headers: { 'Accept-Encoding': 'gzip, br' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Encoding')).toBeNull()
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(await response.json()).toMatchObject({ metadata: { countries: expect.any(Object) } })
  })
})
