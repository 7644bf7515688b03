/**
 * `two-factor-kit/server/node`: the kit on Node, configured from the environment. Only this file
 * (and other runtime entries) know the runtime: it reads `process.env`, the socket's address and
 * the widget bundle from disk, then hands plain options to the core.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { readFileSync } from 'node:fs'
import type { TwoFactorApp } from './http/app.js'
import { ConfigurationError, twoFactor as createTwoFactor, type TwoFactorInit } from './index.js'
import {
  assertEnvironmentVariables,
  isProduction,
  optionsFromVariables,
  trustedProxyHops,
  type EnvironmentVariables,
} from './runtime/env.js'
import type { AdminRoutesConfig } from './http/admin.js'
import { connectionAddress } from './http/client-ip.js'
import type { WidgetRoutesConfig } from './http/widget-routes.js'
import { loadDashboardFile, loadPrecompressedDashboardFile } from './runtime/node-dashboard-files.js'
import { nodeHmacSha256, nodeJwsSigner } from './runtime/node-crypto.js'
import { loadPrecompressedWidgetFile, loadWidgetScript } from './runtime/node-widget-bundle.js'
import type { TwoFactorStore } from './stores/types.js'

// server/node.ts in the repository, dist/server/node.js in the published package.
const packageVersion = (() => {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string
        version: string
      }
      if (json.name === 'two-factor-kit') return json.version
    } catch {
      // not there: try the next layout
    }
  }
  return '0.0.0'
})()

export { serve } from '@hono/node-server'
export { nodeHmacSha256, nodeJwsSigner } from './runtime/node-crypto.js'
export {
  nodeHandler,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  type FetchApp,
  type NodeHandler,
  type NodeHandlerOptions,
  type NodeRequest,
} from './runtime/node-handler.js'
// Everything of the runtime-neutral entry; its `twoFactor` is replaced by the one below.
export * from './index.js'

/**
 * The caller's IP from the socket, or — behind `trustedProxyHops` proxies that each append to
 * `X-Forwarded-For` — the address the outermost trusted proxy saw. Entries left of that one are
 * whatever the client wrote, so they are never read: a spoofed header can't move a caller into
 * another rate-limit bucket.
 */
export function clientIpFromProxyHops(trustedProxyHops: number): (c: Context) => string | undefined {
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0) {
    throw new TypeError(`trustedProxyHops must be a whole number ≥ 0; got ${String(trustedProxyHops)}`)
  }
  return (c) => {
    let socketAddress: string | undefined
    try {
      socketAddress = getConnInfo(c).remote.address
    } catch {
      // No Node socket behind this request: Bun and Deno (where this entry runs too) hand Hono the
      // connection's address their own way. Without any (app.request() in tests, or a host calling
      // fetch itself) there is no trusted address, so per-IP limits don't apply to it.
      socketAddress = connectionAddress(c)
      if (socketAddress === undefined) return undefined
    }
    if (trustedProxyHops === 0) return socketAddress
    const forwarded = (c.req.header('X-Forwarded-For') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
    return forwarded[forwarded.length - trustedProxyHops] ?? socketAddress
  }
}

/**
 * Options from environment variables (see the README's configuration reference). Anything not set
 * keeps the core's default; `NODE_ENV=production` turns on every production check.
 */
export function optionsFromEnv(env: EnvironmentVariables = process.env): TwoFactorInit {
  // Node sends what it is given as is: the files go out brotli or gzip as `npm run build:widget`
  // precompressed them (a third of the bytes), and /metadata.json gzipped once.
  const widget: Omit<WidgetRoutesConfig, 'allowedCountries'> = {
    loadScript: loadWidgetScript,
    loadPrecompressed: loadPrecompressedWidgetFile,
    version: packageVersion,
  }
  const dashboard: AdminRoutesConfig['dashboard'] = {
    loadScript: loadDashboardFile,
    loadPrecompressed: loadPrecompressedDashboardFile,
  }
  return {
    ...optionsFromVariables(env, isProduction(env, 'node')),
    getClientIp: clientIpFromProxyHops(trustedProxyHops(env)),
    jwsSigner: nodeJwsSigner,
    hmacSha256: nodeHmacSha256,
    widget,
    // Served only when TWO_FACTOR_ADMIN_TOKEN is set (the admin routes exist only then).
    dashboard,
  }
}

/**
 * The store `REDIS_URL` asks for (Redis, shared by every process), or undefined for the embedded
 * memory store. ioredis is loaded only then: it is an optional peer dependency.
 */
export async function storeFromEnv(
  env: EnvironmentVariables = process.env,
): Promise<TwoFactorStore | undefined> {
  if (!env.REDIS_URL) return undefined
  const { connectRedisClient, redisStore } = await import('./stores/redis.js')
  return redisStore({ client: await connectRedisClient(env.REDIS_URL) })
}

/**
 * `twoFactor()` configured from the environment (`process.env` unless given), with `overrides` on
 * top. The same order as the Workers entry's `twoFactor(env, overrides)`.
 */
export function twoFactor(
  env: EnvironmentVariables = process.env,
  overrides: TwoFactorInit = {},
): TwoFactorApp {
  assertEnvironmentVariables(env, true)
  // Connecting to Redis is asynchronous and this is not: the host awaits storeFromEnv() itself.
  // Without that the memory store would quietly give each process its own PINs and limits.
  if (env.REDIS_URL && !overrides.store)
    throw new ConfigurationError(
      'twoFactor(env): REDIS_URL is set but no store was passed. Pass the Redis store: ' +
        'twoFactor(process.env, { store: await storeFromEnv() }), or unset REDIS_URL for the memory store',
    )
  return createTwoFactor({ ...optionsFromEnv(env), ...overrides })
}
