/**
 * The caller's address when the host gives no `getClientIp`: the connection's own address, read
 * where each runtime hands it to Hono in `c.env`, as Hono's `getConnInfo` adapters read it —
 * @hono/node-server (`env.incoming.socket`), Bun (`env.requestIP()`, or `env.server.requestIP()`)
 * and Deno (`env.remoteAddr`). No header is trusted: behind a proxy every caller would share the
 * proxy's address, so a host behind one passes `getClientIp` (the Node entry counts proxy hops, the
 * Workers entry reads `CF-Connecting-IP`, which Cloudflare's edge sets itself).
 */
import type { Context } from 'hono'
import type { Logger } from '../core/options.js'

type RuntimeEnv = {
  incoming?: { socket?: { remoteAddress?: string } }
  requestIP?: (request: Request) => { address?: string } | null
  server?: { requestIP?: (request: Request) => { address?: string } | null }
  remoteAddr?: { hostname?: string }
}

export function connectionAddress(c: Context): string | undefined {
  const env = c.env as RuntimeEnv | undefined
  if (!env || typeof env !== 'object') return undefined
  const bun = env.server ?? env
  return (
    env.incoming?.socket?.remoteAddress ??
    (typeof bun.requestIP === 'function' ? bun.requestIP(c.req.raw)?.address : undefined) ??
    env.remoteAddr?.hostname ??
    undefined
  )
}

/** `read`, saying once when it finds no address: per-IP limits then don't apply, silently otherwise. */
export function clientIpReader(
  read: (c: Context) => string | undefined,
  logger: Logger,
): (c: Context) => string | undefined {
  let warned = false
  return (c) => {
    const ip = read(c) || undefined
    if (ip === undefined && !warned) {
      warned = true
      logger.warn(
        {},
        "the caller's IP could not be read on this runtime, so per-IP send limits are off: pass getClientIp to twoFactor() (or use the two-factor-kit/server/node or /workers entry)",
      )
    }
    return ip
  }
}
