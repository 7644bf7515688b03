/**
 * The kit (or any Hono app) as a Node request handler, for hosts that are not Hono: Express,
 * Connect, Fastify, node:http. @hono/node-server turns the Node request into a Fetch Request and
 * writes the Fetch Response back; this adds what those hosts need on top: a body their own parser
 * already read (the stream is empty by then: "Body is unusable"), Fastify's request and reply
 * objects, and a mount path the host doesn't strip.
 */
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A Node request as Express, Connect or node:http hand it over; `body` once a parser has read it. */
export type NodeRequest = IncomingMessage & { body?: unknown }

/** Fastify's request and reply: the Node objects under them, and the body Fastify parsed. */
export interface FastifyLikeRequest {
  raw: IncomingMessage
  body?: unknown
}
export interface FastifyLikeReply {
  raw: ServerResponse
  hijack(): unknown
}

/** What `nodeHandler` serves: a Hono app (the kit's `twoFactor()`, or a host app that mounts it). */
export interface FetchApp {
  fetch(request: Request, env: HttpBindings | Http2Bindings): Response | Promise<Response>
}

export interface NodeHandlerOptions {
  /**
   * The path the host serves the handler under, when the host passes the full URL on: Fastify
   * (`fastify.all('/2fa/*', nodeHandler(kit, { basePath: '/2fa' }))`). It is cut off before the app
   * sees the URL. Express's `app.use('/2fa', …)` cuts it off itself: leave it out there.
   * @default '' (the URL as the host gives it)
   */
  basePath?: string
}

/** The handler's call shapes: Express/Connect middleware, a node:http listener, a Fastify route. */
export type NodeHandler = {
  (request: NodeRequest, response: ServerResponse, next?: (error?: unknown) => void): Promise<void>
  (request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<void>
}

/**
 * The bytes of a body a host's parser turned into a value: bytes and text as they are, a form
 * (express.urlencoded, Fastify's formbody) encoded again as a form, anything else as JSON. The
 * values are the ones the parser read, so the app sees the same fields; its size limit still
 * reads the request's own Content-Length first.
 */
function bodyBytes(body: unknown, contentType: string | undefined): Buffer {
  if (Buffer.isBuffer(body)) return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (typeof body === 'string') return Buffer.from(body)
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '') && body && typeof body === 'object') {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(body))
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item))
    return Buffer.from(form.toString())
  }
  return Buffer.from(JSON.stringify(body))
}

function pathUnder(url: string, basePath: string): string {
  if (!basePath || !url.startsWith(basePath)) return url
  const rest = url.slice(basePath.length)
  if (rest === '') return '/'
  if (rest.startsWith('?')) return `/${rest}`
  return rest.startsWith('/') ? rest : url
}

/**
 * Serves `app` from a Node host. Works whether or not the host's body parser ran first: a body it
 * already read (`req.body` in Express, `request.body` in Fastify) is handed to the app as bytes
 * again, and an unread one streams as usual. The app gets `{ incoming, outgoing }` as under
 * `serve()`, so the kit sees the caller's address (per-IP limits, `trustedProxyHops`).
 *
 * Express: `app.use('/2fa', nodeHandler(kit))`. Fastify: `fastify.all('/2fa/*', nodeHandler(kit,
 * { basePath: '/2fa' }))`. node:http: `createServer(nodeHandler(kit))`.
 */
export function nodeHandler(app: FetchApp, options: NodeHandlerOptions = {}): NodeHandler {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  const listener = getRequestListener((request, env) => app.fetch(request, env))
  return async function twoFactorNodeHandler(
    request: NodeRequest | FastifyLikeRequest,
    response: ServerResponse | FastifyLikeReply,
  ): Promise<void> {
    const incoming: NodeRequest = 'raw' in request ? request.raw : request
    let outgoing: ServerResponse
    if ('hijack' in response) {
      // Fastify: the app writes the answer on the Node response itself.
      response.hijack()
      outgoing = response.raw
    } else {
      outgoing = response
    }
    // Only a body whose stream is already read: a parser that skipped the request (another content
    // type) may still have set a default `{}`, and the stream then holds the real body.
    const { body } = request
    if (body !== undefined && (incoming.readableDidRead || incoming.readableEnded))
      Object.assign(incoming, { rawBody: bodyBytes(body, incoming.headers['content-type']) })
    const url = incoming.url ?? '/'
    incoming.url = pathUnder(url, basePath)
    // The Fetch Request takes its URL when the listener is called: the host's own URL comes back
    // at once, for whatever runs after this handler.
    const served = listener(incoming, outgoing)
    incoming.url = url
    await served
  } as NodeHandler
}
