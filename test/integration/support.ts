/**
 * Small pieces the integration suites share: a real HTTP listener on 127.0.0.1 whose handler is set
 * after the port is known (the kit's `deliveryReportUrl` must name the port before the kit exists),
 * a free port, and the demo server as a child process.
 */
import { serve } from '@hono/node-server'
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

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

/** A port nobody listens on right now (the OS picks it; there is a small window before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface DemoProcess {
  url: string
  /** Resolves once the demo listens; rejects if it exits first. */
  ready: Promise<void>
  /** Everything the demo printed so far (stdout and stderr), for failure messages. */
  output(): string
  /** Ends the demo's whole process group (tsx and the node it runs); SIGKILL after 5 s. */
  stop(): Promise<void>
}

const root = fileURLToPath(new URL('../../', import.meta.url))
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')

/**
 * Starts the demo as `npm start` runs it (`tsx --conditions=source demo/server.ts`) on `port`, in
 * its own process group, configured by `env` on top of this process's environment. Returns at once,
 * so the caller can always stop it, even if it never becomes ready.
 */
export function startDemo(port: number, env: Record<string, string>): DemoProcess {
  const child = spawn(process.execPath, [tsxCli, '--conditions=source', 'demo/server.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(`demo on http://127.0.0.1:${port}`)) resolve()
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code, signal) => reject(new Error(`the demo exited (${code ?? signal}):\n${output}`)))
  })
  ready.catch(() => undefined) // reported by whoever awaits it
  return {
    url: `http://127.0.0.1:${port}`,
    ready,
    output: () => output,
    async stop() {
      if (!child.pid || child.exitCode !== null || child.signalCode !== null) return
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        return // already gone
      }
      const forced = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // gone in the meantime
        }
      }, 5_000)
      await exited
      clearTimeout(forced)
    },
  }
}
