/**
 * The Node demo (`npm start`) sends the widget and the operator console as `npm run build:widget`
 * precompressed them (this project's global setup runs that build): brotli or gzip by the request's
 * Accept-Encoding, identity otherwise, `Vary: Accept-Encoding` on each. Logs the bytes on the wire.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { root, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

const widgetDirectory = join(root, 'dist/widget')
let server: DemoServer

beforeAll(async () => {
  server = await startDemoServer()
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

/** The body as sent (Node's fetch would decode it), by a raw HTTP/1.1 exchange. */
async function onTheWire(path: string, acceptEncoding: string | undefined) {
  const { request } = await import('node:http')
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    const outgoing = request(`${server.url}${path}`, {
      headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding },
    })
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      )
    })
    outgoing.on('error', reject).end()
  })
}

// The demo's allowedOrigins add `Origin` to Vary (the kit's CORS); Accept-Encoding must be there too.
const varies = (headers: Record<string, string>) => headers.vary?.split(/\s*,\s*/) ?? []

const decode = (body: Buffer, encoding: string | undefined) =>
  encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body

describe('the Node demo’s widget files on the wire', () => {
  it('the build wrote a .br and a .gz next to every widget and console script, smaller than it', async () => {
    const scripts = (await readdir(widgetDirectory, { recursive: true })).filter((name) =>
      /(^|\/)(two-factor-auth|dashboard)[\w-]*\.js$/.test(name),
    )
    expect(scripts).toContain('two-factor-auth.js')
    expect(scripts).toContain('admin/dashboard.js')
    for (const name of scripts) {
      const source = await readFile(join(widgetDirectory, name))
      if (source.length < 100) continue // too small to shrink: sent as it is
      const br = await readFile(join(widgetDirectory, `${name}.br`))
      const gz = await readFile(join(widgetDirectory, `${name}.gz`))
      expect(brotliDecompressSync(br).equals(source), name).toBe(true)
      expect(gunzipSync(gz).equals(source), name).toBe(true)
      expect(br.length, name).toBeLessThan(gz.length)
    }
  })

  it('/2fa/widget.js: brotli, gzip or identity by Accept-Encoding, each with Vary and its own ETag', async () => {
    const source = await readFile(join(widgetDirectory, 'two-factor-auth.js'))
    const sizes: Record<string, number> = {}
    const etags = new Set<string>()
    for (const [accept, expected] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, deflate', 'gzip'],
      [undefined, undefined],
    ] as const) {
      const response = await onTheWire('/2fa/widget.js', accept)
      expect(response.status).toBe(200)
      expect(response.headers['content-encoding']).toBe(expected)
      expect(varies(response.headers)).toContain('Accept-Encoding')
      expect(decode(response.body, expected).equals(source)).toBe(true)
      etags.add(response.headers.etag!)
      sizes[expected ?? 'identity'] = response.body.length
    }
    expect(etags.size).toBe(3)
    expect(sizes.br).toBeLessThan(sizes.gzip!)
    expect(sizes.gzip).toBeLessThan(sizes.identity! / 2)
    console.info(`/2fa/widget.js on the wire: ${JSON.stringify(sizes)} bytes`)
  })

  it('/2fa/metadata.json goes out gzip; a chunk and the console’s script brotli', async () => {
    const metadata = await onTheWire('/2fa/metadata.json', 'gzip')
    expect(metadata.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(metadata.body).toString())).toHaveProperty('metadata.countries')

    const page = await (await fetch(`${server.url}/2fa/widget.js`)).text()
    const chunk = page.match(/two-factor-auth-phone-number-[\w-]+\.js/)?.[0]
    expect(chunk).toBeDefined()
    for (const path of [`/2fa/${chunk}`, '/2fa/admin/dashboard.js']) {
      const response = await onTheWire(path, 'br')
      expect(response.status, path).toBe(200)
      expect(response.headers['content-encoding'], path).toBe('br')
      expect(varies(response.headers), path).toContain('Accept-Encoding')
    }
  })
})
