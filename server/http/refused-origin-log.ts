/**
 * Says in the server log what a browser only shows as "Connection problem": a page on another
 * origin called the kit and got no CORS answer. One line per origin, naming the option to set.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { Logger } from '../core/log.js'

export interface RefusedOriginLogConfig {
  /** The origins the kit answers cross-origin (`allowedOrigins`); they are never logged. */
  allowedOrigins: readonly string[]
  logger: Logger
  /** Paths that refuse every other origin on purpose (the admin routes): never logged. */
  skip?: (path: string) => boolean
  /**
   * How many distinct origins are remembered (and so logged). Any page can send any Origin, so
   * the set is bounded: past it, new origins go unlogged rather than grow memory or the log.
   * @default 20
   */
  limit?: number
}

/** Same origin as the browser sees it: then CORS doesn't apply, and nothing was refused. */
function isSameOrigin(c: Context, origin: string): boolean {
  if (c.req.header('Sec-Fetch-Site') === 'same-origin') return true
  const url = new URL(c.req.url)
  if (origin === url.origin) return true
  // Behind a TLS-terminating proxy the kit sees http:// for a page on https:// of the same host.
  try {
    return new URL(origin).host === (c.req.header('Host') ?? url.host)
  } catch {
    return false
  }
}

export function refusedOriginLog(config: RefusedOriginLogConfig): MiddlewareHandler {
  const limit = config.limit ?? 20
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError('refusedOriginLog needs a "limit" ≥ 0')
  const allowed = new Set(config.allowedOrigins)
  const logged = new Set<string>()
  return async function logRefusedOrigin(c, next) {
    const origin = c.req.header('Origin')
    // Checked before the route, cheaply: reading the answer's headers afterwards turns
    // @hono/node-server's light response into a full Response, so only a candidate pays it.
    const candidate =
      origin !== undefined &&
      logged.size < limit &&
      !logged.has(origin) &&
      !allowed.has(origin) &&
      !(config.skip?.(c.req.path) ?? false) &&
      !isSameOrigin(c, origin)
    await next()
    if (!candidate || c.res.headers.has('Access-Control-Allow-Origin') || logged.has(origin)) return
    if (logged.size >= limit) return
    logged.add(origin)
    config.logger.warn(
      { origin },
      'a page on another origin called the kit and got no CORS answer (the browser shows "Connection problem"); to allow it, set TWO_FACTOR_ALLOWED_ORIGINS (allowedOrigins)',
    )
  }
}
