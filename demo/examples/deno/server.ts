// `deno task start`: the kit on Deno, its packages from node_modules (`npm install`, then
// "nodeModulesDir": "manual" in deno.json). The Node entry runs here as it is: it reads the
// environment, serves the widget's files from the installed package, and takes the caller's IP
// from Deno's connection info.
import { Hono } from 'hono'
import { requireVerifiedPhone, twoFactor } from 'two-factor-kit/server/node'

// The environment first (TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options on top of it.
const phone = twoFactor(Deno.env.toObject(), { issuer: 'https://shop.example', audience: 'shop.example' })
await phone.ready // a key that can't be used stops the start, not the first request

const app = new Hono()
app.route('/2fa', phone)
// Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through, once.
app.post('/checkout', requireVerifiedPhone({ verifier: phone.verifier }), (c) =>
  c.json({ phone: c.get('verifiedPhone').phoneNumber }),
)

Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  app.fetch,
)
