/**
 * The demo server as `npm start` runs it (`tsx --conditions=two-factor-kit:source demo/server.ts`), in its own
 * process group, configured by environment variables alone: for the e2e flows and for the
 * integration suites that switch it to a provider fake.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { freePort } from './ports.js'
import { startProcessGroup, type ProcessGroup } from './processes.js'

export const root = fileURLToPath(new URL('../..', import.meta.url))

export interface DemoServer extends ProcessGroup {
  url: string
}

export interface DemoServerOptions {
  /** Where it listens; a free port unless given (a delivery-report URL must name it beforehand). */
  port?: number
  /** Environment variables on top of this process's. */
  env?: Record<string, string>
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')
  const demo = await startProcessGroup({
    name: 'the demo server',
    command: process.execPath,
    args: [tsxCli, '--conditions=two-factor-kit:source', 'demo/server.ts'],
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    ready: { url: `${url}/2fa/config` },
    readyWithinMs: 60_000,
  })
  return { ...demo, url }
}

/**
 * The newest code the demo's console provider "sent" to `e164` (at or after `after`, epoch ms),
 * read from its dev inbox; waits up to 10 s for it to arrive.
 */
export async function codeSentTo(demo: { url: string }, e164: string, after = 0): Promise<string> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const inbox = (await (await fetch(`${demo.url}/dev/inbox.json`)).json()) as {
      to: string
      text: string
      at: string
    }[]
    const message = inbox.filter((entry) => entry.to === e164 && Date.parse(entry.at) >= after).at(-1)
    const code = message?.text.match(/\b(\d{6})\b/)?.[1]
    if (code) return code
    if (Date.now() > deadline)
      throw new Error(`no code for ${e164} in the dev inbox: ${JSON.stringify(inbox)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
