import { TwoFactorError } from 'two-factor-kit/server/node'
import { twoFactorKit } from '../../lib/two-factor'

// A route of your own that only a verified phone number opens: the token comes as a bearer token,
// and the kit's verifier accepts it once (a replay gets 401 TOKEN_ALREADY_USED).
export async function POST(request: Request): Promise<Response> {
  const token = request.headers.get('Authorization')?.replace(/^Bearer /, '') ?? ''
  try {
    const { phoneNumber } = await twoFactorKit().app.verifier.verify(token)
    return Response.json({ phoneNumber })
  } catch (error) {
    if (!(error instanceof TwoFactorError)) throw error
    return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status })
  }
}
