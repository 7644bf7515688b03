import Fastify from 'fastify'
import { nodeHandler, TwoFactorError, twoFactor } from 'two-factor-kit/server/node'

// The environment first (TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options on top of it.
const phone = twoFactor(process.env, { issuer: 'https://shop.example', audience: 'shop.example' })
await phone.ready // a key that can't be used stops the start, not the first request

const fastify = Fastify()

// The kit under /2fa. In its own scope every body reaches it as the bytes that were sent, so it
// answers malformed JSON and forms (Twilio's delivery reports) with its own codes. (Without the
// scope it works too, from the JSON Fastify parsed; then Fastify answers what it can't parse.)
await fastify.register(
  async (kit) => {
    kit.removeAllContentTypeParsers()
    kit.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    kit.all('/*', nodeHandler(phone, { basePath: '/2fa' }))
  },
  { prefix: '/2fa' },
)

// Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through,
// once per token (the kit's verifier uses it up; a replay gets 401 TOKEN_ALREADY_USED).
async function requireVerifiedPhone(request, reply) {
  const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  try {
    if (!token) throw new TwoFactorError('TOKEN_MISSING', 'A phone verification token is required.')
    request.verifiedPhone = await phone.verifier.verify(token)
  } catch (error) {
    if (!(error instanceof TwoFactorError)) throw error
    const { status, headers, body } = error.httpAnswer() // the kit's own answer: 401 and its code
    return reply.code(status).headers(headers).send(body)
  }
}

fastify.decorateRequest('verifiedPhone', null)
fastify.post('/checkout', { preHandler: requireVerifiedPhone }, async (request) => ({
  phone: request.verifiedPhone.phoneNumber,
}))

await fastify.listen({ port: Number(process.env.PORT ?? 3000) })
console.log(`listening on http://localhost:${fastify.server.address().port}`)
