// `bun server.ts`: the kit on Bun. The Node entry runs here as it is: it reads the environment,
// serves the widget's files from the installed package, and takes the caller's IP from Bun's server.
import { Hono } from 'hono'
import { requireVerifiedPhone, twoFactor } from 'two-factor-kit/server/node'

// The environment first (TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options on top of it.
const phone = twoFactor(process.env, { issuer: 'https://shop.example', audience: 'shop.example' })
await phone.ready // a key that can't be used stops the start, not the first request

const app = new Hono()
app.route('/2fa', phone)
// Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through, once.
app.post('/checkout', requireVerifiedPhone({ verifier: phone.verifier }), (c) =>
  c.json({ phone: c.get('verifiedPhone').phoneNumber }),
)

const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), fetch: app.fetch })
console.log(`listening on ${server.url}`)
