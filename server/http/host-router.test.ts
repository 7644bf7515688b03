import { Hono } from 'hono'
import type { SmartRouter } from 'hono/router/smart-router'
import { describe, expect, it } from 'vitest'
import { twoFactor } from '../node.js'

const quiet = { info() {}, warn() {}, error() {} }

describe("the host's router", () => {
  it("a host that mounts the kit (widget files and admin included) keeps Hono's RegExpRouter for every route", async () => {
    const host = new Hono()
    host.get('/bare', (c) => c.json({ ok: true }))
    host.route(
      '/2fa',
      twoFactor(
        { NODE_ENV: 'development' },
        { logger: quiet, adminToken: 'Vq3sX9pL2mN7bR4tY8wK1zH6cJ5dF0gA' },
      ),
    )
    expect((await host.request('/bare')).status).toBe(200)
    // Hono's SmartRouter keeps the first router that accepts every route; RegExpRouter refuses a
    // regular-expression parameter beside static paths, and then the host's whole app falls back to
    // the slower TrieRouter.
    expect((host.router as SmartRouter<unknown>).activeRouter.name).toBe('RegExpRouter')
    const chunk = await host.request('/2fa/two-factor-auth-missing.js')
    expect(chunk.status).toBe(404)
  })
})
