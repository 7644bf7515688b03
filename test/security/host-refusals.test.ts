// Every refusal of the kit inside a host's Hono app is the kit's JSON envelope with a 4xx, without
// the host writing an onError or a notFound: unmatched paths under the mount, and a TwoFactorError
// that `kit.verifier.verify()` throws in one of the host's own routes (the README's form-post
// pattern), which Hono's default error handler answers through the error's `getResponse()`.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { generateSigningKey, memoryStore, TwoFactorError } from '../../server/index.js'
import { makeKit } from '../helpers/kit.js'

const HOUR = 3_600_000

/** A host app as the README shows it: the kit at /2fa, its own routes, no onError, no notFound. */
function hostApp(kit: ReturnType<typeof makeKit>['app']) {
  const host = new Hono()
  host.route('/2fa', kit)
  host.post('/account', async (c) => {
    const { phone_token } = await c.req.parseBody()
    const { phoneNumber } = await kit.verifier.verify(String(phone_token)) // throws if not valid
    return c.text(`welcome ${phoneNumber}`)
  })
  return host
}

const submit = (token: string) => ({ method: 'POST', body: new URLSearchParams({ phone_token: token }) })

async function envelope(response: Response) {
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  expect(response.headers.get('Cache-Control')).toBe('no-store')
  return ((await response.json()) as { error: { code: string; message: string } }).error
}

describe('a refusal of the kit inside a host app', () => {
  it('an unmatched path under the mount is the kit’s 404 NOT_FOUND envelope; the host’s own 404 stays its own', async () => {
    // With the widget's routes: a chunk this build does not have is an unmatched path too.
    const widget = { loadScript: async () => undefined, version: '1.0.0' }
    const host = hostApp(makeKit({ widget }).app)
    for (const [method, path] of [
      ['GET', '/2fa/nope'],
      ['GET', '/2fa/two-factor-auth-nope-1.js'],
      ['GET', '/2fa/pin'],
      ['POST', '/2fa/pin/0123/nope'],
      ['DELETE', '/2fa/config'],
      ['GET', '/2fa/.well-known/nope'],
    ] as const) {
      const response = await host.request(path, { method })
      expect(response.status, `${method} ${path}`).toBe(404)
      expect(await envelope(response)).toEqual({
        code: 'NOT_FOUND',
        message: `No route for ${method} ${path}.`,
      })
    }
    const outside = await host.request('/elsewhere')
    expect(outside.status).toBe(404)
    expect(await outside.text()).toBe('404 Not Found')
    // The kit's routes still answer as before.
    expect((await host.request('/2fa/config')).status).toBe(200)
  })

  it('verifier.verify() of an expired token in a host route: 401 TOKEN_EXPIRED envelope, not 500', async () => {
    // A kit whose clock is an hour behind issues a token that expired 55 minutes ago.
    const past = () => Date.now() - HOUR
    const signingKey = await generateSigningKey('EdDSA')
    const stale = makeKit({ clock: past, store: memoryStore({ clock: past }), signingKey })
    const { pinId, pin } = await stale.startVerification()
    const { token } = (await (await stale.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }

    const host = hostApp(makeKit({ signingKey }).app)
    const response = await host.request('/account', submit(token))
    expect(response.status).toBe(401)
    expect(await envelope(response)).toMatchObject({ code: 'TOKEN_EXPIRED' })
  })

  it('verifier.verify() of a forged or missing token in a host route: 401 TOKEN_INVALID envelope', async () => {
    const forger = makeKit()
    const { pinId, pin } = await forger.startVerification()
    const { token } = (await (await forger.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }
    const host = hostApp(makeKit().app)
    for (const forged of [token, 'x.y.z', '']) {
      const response = await host.request('/account', submit(forged))
      expect(response.status, forged).toBe(401)
      expect(await envelope(response)).toMatchObject({ code: 'TOKEN_INVALID' })
    }
  })
})

describe('TwoFactorError#getResponse', () => {
  it('is the same answer the kit gives: the code’s status, the envelope, no-store, Retry-After when it says when', async () => {
    const limited = new TwoFactorError('RATE_LIMITED', 'Too many.', { limit: 'verifyPin', retryAfter: 42 })
    const response = limited.getResponse()
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBe('42')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Too many.', limit: 'verifyPin', retryAfter: 42 },
    })
    expect(new TwoFactorError('TOKEN_MISSING', 'No token.').getResponse().headers.has('Retry-After')).toBe(
      false,
    )
  })
})
