import express from 'express'
import { nodeHandler, TwoFactorError, twoFactor } from 'two-factor-kit/server/node'

// The environment first (TWO_FACTOR_SECRET, TWO_FACTOR_PRIVATE_JWK, …), then options on top of it.
const phone = twoFactor(process.env, { issuer: 'https://shop.example', audience: 'shop.example' })
await phone.ready // a key that can't be used stops the start, not the first request

const app = express()
app.use(express.json()) // before or after the kit: it also reads a body Express has parsed
app.use('/2fa', nodeHandler(phone))

// Your own routes: only a request carrying a valid token (Authorization: Bearer …) gets through,
// once per token (the kit's verifier uses it up; a replay gets 401 TOKEN_ALREADY_USED).
async function requireVerifiedPhone(req, res, next) {
  const token = /^Bearer (\S+)$/i.exec(req.get('Authorization') ?? '')?.[1]
  try {
    if (!token) throw new TwoFactorError('TOKEN_MISSING', 'A phone verification token is required.')
    res.locals.verifiedPhone = await phone.verifier.verify(token)
  } catch (error) {
    if (!(error instanceof TwoFactorError)) throw error
    const { status, headers, body } = error.httpAnswer() // the kit's own answer: 401 and its code
    return res.status(status).set(headers).send(body)
  }
  next()
}

app.post('/checkout', requireVerifiedPhone, (req, res) => {
  res.json({ phone: res.locals.verifiedPhone.phoneNumber })
})

const server = app.listen(Number(process.env.PORT ?? 3000), () =>
  console.log(`listening on http://localhost:${server.address().port}`),
)
