import { Hono } from 'hono'
import { requireVerifiedPhone, twoFactor, workerFetch } from 'two-factor-kit/server/workers'

// The class the TWO_FACTOR_STORE binding names (wrangler.jsonc) must be exported by the Worker.
export { TwoFactorDurableObject } from 'two-factor-kit/server/workers'

// `Env` is what `npx wrangler types` reads from wrangler.jsonc (worker-configuration.d.ts).
function shop(env: Env) {
  // The env first (vars and secrets: TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options.
  const phone = twoFactor(env)
  const app = new Hono()
  app.route('/2fa', phone)
  // Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through,
  // once per token (the kit's verifier uses it up; a replay gets 401 TOKEN_ALREADY_USED).
  app.post('/checkout', requireVerifiedPhone({ verifier: phone.verifier }), (c) =>
    c.json({ phone: c.get('verifiedPhone').phoneNumber }),
  )
  return app
}

export default {
  // Built on the first request (Workers allow no key generation at module load). Until the
  // secrets and vars are set, every request answers 503 NOT_CONFIGURED, naming what is missing.
  fetch: workerFetch(shop),
} satisfies ExportedHandler<Env>
