/**
 * The plumbing the provider fakes share: a node:http server on 127.0.0.1 and a free port, every
 * request recorded, scripted failures queued per endpoint, and a close() that also ends requests the
 * fake is deliberately leaving unanswered (the "hang" scenario).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

/**
 * What a fake can be told to do on its next call(s) to an endpoint, instead of answering normally.
 * Each fake answers these the way its real service does.
 */
export type FakeScenario =
  'rate-limited' | 'server-error' | 'malformed' | 'hang' | 'invalid-number' | 'account-error'

/** The delivery outcomes every fake can report, named after the kit status they must map to. */
export type FakeReportOutcome = 'delivered' | 'sent' | 'undeliverable' | 'failed' | 'expired' | 'rejected'

export interface HttpFake {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>

export async function startHttpFake(handler: FakeHandler): Promise<HttpFake> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { fakeError: String(error) })
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' })
  response.end(JSON.stringify(body))
}

export function sendText(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/html',
): void {
  response.writeHead(status, { 'Content-Type': contentType })
  response.end(body)
}

/** Scripted failures, consumed in order, per endpoint. */
export class ScenarioQueue<Endpoint extends string> {
  private readonly queued = new Map<Endpoint, FakeScenario[]>()

  push(endpoint: Endpoint, scenario: FakeScenario, times = 1): void {
    const list = this.queued.get(endpoint) ?? []
    for (let index = 0; index < times; index++) list.push(scenario)
    this.queued.set(endpoint, list)
  }

  take(endpoint: Endpoint): FakeScenario | undefined {
    return this.queued.get(endpoint)?.shift()
  }

  clear(): void {
    this.queued.clear()
  }
}

/** `App key`, `Basic …`: the header as one string (node gives string | string[] | undefined). */
export function header(request: RecordedRequest, name: string): string {
  const value = request.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : (value ?? '')
}
