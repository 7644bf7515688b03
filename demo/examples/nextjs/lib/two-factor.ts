import { Hono } from 'hono'
import { twoFactor, type TwoFactorApp } from 'two-factor-kit/server/node'

let kit: { app: TwoFactorApp; routes: Hono } | undefined

/**
 * The kit, made on the first request rather than at import: `next build` imports every route
 * without the production secrets. One kit for the whole app, so the /2fa routes and the verifier of
 * your own routes share its store (each token is accepted once).
 */
export function twoFactorKit(): { app: TwoFactorApp; routes: Hono } {
  if (!kit) {
    // The environment: TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, TWO_FACTOR_ISSUER, … (README).
    // No client IP: a route handler has no socket, and `next start` keeps an X-Forwarded-For the
    // client wrote, so per-IP limits would count what the client chose. Behind a proxy that sets
    // that header itself (Vercel; nginx with `proxy_set_header X-Forwarded-For $remote_addr`), add
    // { getClientIp: (c) => c.req.header('X-Forwarded-For')?.split(',').at(-1)?.trim() }.
    const app = twoFactor(process.env)
    // The kit's routes under /2fa, where app/2fa/[[...route]] receives them.
    kit = { app, routes: new Hono().route('/2fa', app) }
  }
  return kit
}
