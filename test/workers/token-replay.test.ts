/**
 * A phone token is used once on workerd too: the kit's own verifier consumes its `jti` through the
 * Durable Object store's atomic `hit`, so of 20 concurrent uses of one token exactly one passes.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { consoleProvider } from '../../server/providers/console.js'
import { twoFactor, type TwoFactorWorkerEnv } from '../../server/workers.js'
import { tally } from '../helpers/outcomes.js'

const workerEnv: TwoFactorWorkerEnv = env

describe('single use of a token on workerd with Durable Objects', () => {
  it('20 concurrent uses of one token → exactly 1 accepted, 19 TOKEN_ALREADY_USED', async () => {
    const sms = consoleProvider({ print: null })
    const app = twoFactor(workerEnv, { sms, logger: { info() {}, warn() {}, error() {} } })
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.8' },
        body: JSON.stringify(body),
      })
    const phoneNumber = `+38591${String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000_000).padStart(7, '0')}`
    const sent = await post('/pin', { phoneNumber })
    expect(sent.status).toBe(201)
    const { pinId } = (await sent.json()) as { pinId: string }
    const pin = /\b(\d{6})\b/.exec(sms.outbox.at(-1)!.text)![1]!
    const verified = await post(`/pin/${pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
    const { token } = (await verified.json()) as { token: string }

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.verifier.verify(token).then(
          () => 'ACCEPTED',
          (error: { code?: string }) => error.code ?? String(error),
        ),
      ),
    )
    expect(tally(outcomes)).toEqual({ ACCEPTED: 1, TOKEN_ALREADY_USED: 19 })
  })
})
