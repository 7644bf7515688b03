import { Hono } from 'hono'
import { requireVerifiedPhone, twoFactor } from 'two-factor-kit/server/node' // or 'two-factor-kit/server' off Node

// The environment first (TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options on top of it.
export const phone = twoFactor(process.env, { issuer: 'https://shop.example', audience: 'shop.example' })

// Chained, so that `typeof app` carries every route for Hono's typed client (client.ts).
export const app = new Hono()
  .route('/2fa', phone)
  // Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through,
  // once per token (the kit's verifier uses it up; a replay gets 401 TOKEN_ALREADY_USED).
  .post('/checkout', requireVerifiedPhone({ verifier: phone.verifier }), (c) =>
    c.json({ phone: c.get('verifiedPhone').phoneNumber }),
  )

export type App = typeof app
