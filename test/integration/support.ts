/**
 * A real HTTP listener on 127.0.0.1 for the integration suites, whose handler is set after the port
 * is known: the kit's `deliveryReportUrl` must name the port before the kit exists.
 */
import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Listener {
  url: string
  /** Serves every request with `fetch` from now on (given the node-server bindings, for getConnInfo). */
  handle(fetch: Handler): void
  close(): Promise<void>
}

type Handler = (request: Request, env: unknown) => Response | Promise<Response>

export async function listen(): Promise<Listener> {
  let handler: Handler = () => new Response('no handler yet', { status: 503 })
  const server = await new Promise<Server>((resolve) => {
    const started = serve(
      { fetch: (request, env) => handler(request, env), port: 0, hostname: '127.0.0.1' },
      () => resolve(started as Server),
    )
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    handle(fetch) {
      handler = fetch
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
