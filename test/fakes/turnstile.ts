/**
 * A local Cloudflare Turnstile siteverify, as documented: `POST /turnstile/v0/siteverify` with a
 * JSON (or form) body `{ secret, response, remoteip? }`, answered `200 { success, "error-codes",
 * challenge_ts, hostname, action }`. Tokens are issued by the test (`issue()`), valid once: a second
 * use answers `timeout-or-duplicate`, an unknown one `invalid-input-response`, a wrong secret
 * `invalid-input-secret`. Scenarios make it fail the way the real service can.
 */
import { sendJson, sendText, startHttpFake, type HttpFake } from './http-fake.js'

export interface FakeTurnstile extends HttpFake {
  /** A token solved on `hostname` for `action`. */
  issue(solved?: { hostname?: string; action?: string }): string
  /** The next call answers like this instead. */
  failNext(scenario: 'server-error' | 'malformed' | 'hang' | 'internal-error'): void
}

export const FAKE_TURNSTILE_SECRET = '0x4AAAAAAAfakeSecretKeyForTests000'
export const FAKE_TURNSTILE_SITE_KEY = '0x4AAAAAAAfakeSiteKey'

export async function startFakeTurnstile(): Promise<FakeTurnstile> {
  const tokens = new Map<string, { hostname: string; action: string; used: boolean }>()
  const scenarios: Array<'server-error' | 'malformed' | 'hang' | 'internal-error'> = []
  let issued = 0

  const fake = await startHttpFake((request, response) => {
    if (request.method !== 'POST' || request.path !== '/turnstile/v0/siteverify') {
      return sendJson(response, 404, { success: false, 'error-codes': ['bad-request'] })
    }
    const scenario = scenarios.shift()
    if (scenario === 'hang') return // never answers; the kit's time budget must end it
    if (scenario === 'server-error') return sendJson(response, 500, { message: 'upstream error' })
    if (scenario === 'malformed') return sendText(response, 200, '<html>oops</html>')
    if (scenario === 'internal-error')
      return sendJson(response, 200, { success: false, 'error-codes': ['internal-error'] })

    const json = /application\/json/.test(String(request.headers['content-type']))
    const body = json
      ? (JSON.parse(request.body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(request.body))
    const refuse = (code: string) =>
      sendJson(response, 200, { success: false, 'error-codes': [code], messages: [] })
    if (!body.secret) return refuse('missing-input-secret')
    if (body.secret !== FAKE_TURNSTILE_SECRET) return refuse('invalid-input-secret')
    if (!body.response) return refuse('missing-input-response')
    const token = tokens.get(String(body.response))
    if (!token) return refuse('invalid-input-response')
    if (token.used) return refuse('timeout-or-duplicate')
    token.used = true
    return sendJson(response, 200, {
      success: true,
      'error-codes': [],
      challenge_ts: new Date().toISOString(),
      hostname: token.hostname,
      action: token.action,
      cdata: '',
    })
  })

  return Object.assign(fake, {
    issue(solved: { hostname?: string; action?: string } = {}) {
      const token = `0.fake-turnstile-token-${++issued}.${'x'.repeat(40)}`
      tokens.set(token, {
        hostname: solved.hostname ?? 'shop.example',
        action: solved.action ?? 'two-factor-send',
        used: false,
      })
      return token
    },
    failNext(scenario: 'server-error' | 'malformed' | 'hang' | 'internal-error') {
      scenarios.push(scenario)
    },
  })
}
