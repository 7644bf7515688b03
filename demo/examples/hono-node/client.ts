// Hono's typed client: paths, JSON bodies and answers are checked against the server's own types.
// `npm run client -- http://localhost:3000 +15005550006 123456` with a test number (README).
import { hc } from 'hono/client'
import type { App } from './app.js'

const [baseUrl = 'http://localhost:3000', phoneNumber = '+15005550006', pin = '123456'] =
  process.argv.slice(2)
const client = hc<App>(baseUrl)

const sent = await client['2fa'].pin.$post({ json: { phoneNumber } })
if (!sent.ok) throw new Error(`POST /2fa/pin: ${sent.status} ${await sent.text()}`)
const { pinId, to } = await sent.json()
console.log(`code sent to ${to}`)

const verified = await client['2fa'].pin[':pinId'].verify.$post({ param: { pinId }, json: { pin } })
if (!verified.ok)
  throw new Error(`POST /2fa/pin/${pinId}/verify: ${verified.status} ${await verified.text()}`)
const { token } = await verified.json()

const checkout = await client.checkout.$post({}, { headers: { Authorization: `Bearer ${token}` } })
console.log(JSON.stringify({ status: checkout.status, body: await checkout.json() }))
