// workerFetch: the Worker's fetch handler over the host's app, built on the first request. A Worker
// is production unless told otherwise, so a fresh deployment without its secrets must say what to
// set, once in the log and in every answer, instead of failing each request with a bare 500.
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { twoFactor, workerFetch, type TwoFactorWorkerEnv } from '../../server/workers.js'

const quiet = { info() {}, warn() {}, error() {} }

function recordingLogger() {
  const errors: Array<{ fields: Record<string, unknown>; message: string }> = []
  return {
    errors,
    logger: {
      ...quiet,
      error: (fields: Record<string, unknown>, message: string) => errors.push({ fields, message }),
    },
  }
}

/** The README's Worker: the kit at /2fa in the host's Hono app, and a route of the host's own. */
function shop(workerEnv: TwoFactorWorkerEnv): Hono {
  const app = new Hono()
  app.route('/2fa', twoFactor(workerEnv, { logger: quiet }))
  app.get('/', (c) => c.text('shop'))
  return app
}

const get = (path: string) => new Request(`https://shop.example${path}`)

describe('workerFetch', () => {
  it('a production Worker without its secrets answers every request 503 NOT_CONFIGURED, naming the variables and the commands, and logs it once', async () => {
    const { errors, logger } = recordingLogger()
    const fetch = workerFetch(shop, { logger })
    // What a Worker deployed from the README has before `wrangler secret put`: the binding, no vars.
    const fresh: TwoFactorWorkerEnv = { TWO_FACTOR_STORE: (env as TwoFactorWorkerEnv).TWO_FACTOR_STORE }
    for (const path of ['/2fa/config', '/', '/2fa/pin']) {
      const response = await fetch(get(path), fresh, createExecutionContext())
      expect(response.status, path).toBe(503)
      expect(response.headers.get('Cache-Control'), path).toBe('no-store')
      const { error } = (await response.json()) as { error: { code: string; message: string } }
      expect(error.code, path).toBe('NOT_CONFIGURED')
      for (const name of ['TWO_FACTOR_SECRET', 'TWO_FACTOR_PRIVATE_JWK', 'TWO_FACTOR_ISSUER', 'SMS_PROVIDER'])
        expect(error.message).toContain(name)
      expect(error.message).toMatch(/npx wrangler secret put TWO_FACTOR_SECRET/)
      expect(error.message).toMatch(/npx wrangler secret put TWO_FACTOR_PRIVATE_JWK/)
      expect(error.message).toMatch(/ENVIRONMENT/)
    }
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/TWO_FACTOR_SECRET/)
    expect(errors[0]!.fields.err).toBeInstanceOf(Error)
  })

  it('a configured Worker is built once, on its first request, and serves the host’s routes and the kit’s', async () => {
    let builds = 0
    const fetch = workerFetch((workerEnv: TwoFactorWorkerEnv) => {
      builds++
      return shop(workerEnv)
    })
    const workerEnv = env as TwoFactorWorkerEnv
    expect(builds).toBe(0)
    const config = await fetch(get('/2fa/config'), workerEnv, createExecutionContext())
    expect(config.status).toBe(200)
    expect(await config.json()).toMatchObject({ pinLength: 6 })
    expect(await (await fetch(get('/'), workerEnv, createExecutionContext())).text()).toBe('shop')
    expect(builds).toBe(1)
  })

  it('does not hide a failure that is not a configuration mistake: it is thrown, and the next request builds again', async () => {
    let builds = 0
    const fetch = workerFetch(() => {
      builds++
      throw new TypeError('a bug in the host’s own code')
    })
    const workerEnv = env as TwoFactorWorkerEnv
    await expect(async () => fetch(get('/'), workerEnv, createExecutionContext())).rejects.toThrow(TypeError)
    await expect(async () => fetch(get('/'), workerEnv, createExecutionContext())).rejects.toThrow(TypeError)
    expect(builds).toBe(2)
  })
})
