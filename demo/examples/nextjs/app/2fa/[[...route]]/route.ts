import { twoFactorKit } from '../../../lib/two-factor'

// Every request under /2fa goes to the kit: its API, /2fa/metadata.json and /2fa/widget.js.
function handler(request: Request): Promise<Response> | Response {
  return twoFactorKit().routes.fetch(request)
}

export { handler as GET, handler as HEAD, handler as POST, handler as DELETE, handler as OPTIONS }
