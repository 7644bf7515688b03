/** The operator console's files as the admin routes serve them: its script in the best encoding on hand. */
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { adminRoutes, type AdminRoutesConfig } from './admin.js'

const script = 'export const dashboard = 1'
const precompressed = { br: brotliCompressSync(script), gzip: gzipSync(script) }

function console(withPrecompressed: boolean) {
  const dashboard: AdminRoutesConfig['dashboard'] = {
    loadScript: async (file) => (file === 'dashboard.js' ? script : undefined),
    ...(withPrecompressed
      ? {
          loadPrecompressed: async (file, encoding) =>
            file === 'dashboard.js' ? precompressed[encoding] : undefined,
        }
      : {}),
  }
  const quiet = { info: () => {}, warn: () => {}, error: () => {} }
  // The file routes touch neither the policy nor the store.
  return adminRoutes({
    token: 't',
    policy: {} as never,
    store: {} as never,
    clock: Date.now,
    logger: quiet,
    dashboard,
  })
}

describe('the operator console’s script', () => {
  it('goes out brotli to a browser that accepts it, with Vary: Accept-Encoding', async () => {
    const response = await console(true).request('/dashboard.js', {
      headers: { 'Accept-Encoding': 'gzip, br' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Encoding')).toBe('br')
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(brotliDecompressSync(Buffer.from(await response.arrayBuffer())).toString()).toBe(script)
  })

  it('goes out gzip when brotli is refused (q=0), and as it is (still with Vary) when nothing is accepted or built', async () => {
    const gzip = await console(true).request('/dashboard.js', {
      headers: { 'Accept-Encoding': 'br;q=0, gzip' },
    })
    expect(gzip.headers.get('Content-Encoding')).toBe('gzip')
    for (const [withPrecompressed, accept] of [
      [true, 'identity'],
      [false, 'gzip, br'],
    ] as const) {
      const plain = await console(withPrecompressed).request('/dashboard.js', {
        headers: { 'Accept-Encoding': accept },
      })
      expect(plain.headers.get('Content-Encoding')).toBeNull()
      expect(plain.headers.get('Vary')).toBe('Accept-Encoding')
      expect(await plain.text()).toBe(script)
    }
  })

  it('is NOT_FOUND for a script that is not built, whatever the encoding', async () => {
    const response = await console(true).request('/dashboard-missing.js', {
      headers: { 'Accept-Encoding': 'br' },
    })
    expect(response.status).toBe(404)
  })
})
