import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { precompressDirectory } from '../../widget/build/vite-precompress.js'
import { loadPrecompressedDashboardFile } from './node-dashboard-files.js'
import { loadPrecompressedWidgetFile, readPrecompressed } from './node-widget-bundle.js'

let directory: string | undefined
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true })
  directory = undefined
})

describe('the build’s precompressed files, as the Node entry reads them', () => {
  it('the build writes .br and .gz next to every JS and JSON file (subfolders too) that they decode back to', async () => {
    directory = await mkdtemp(join(tmpdir(), 'tfk-precompress-'))
    const script = `export const countries = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `country ${i}`))}`
    await mkdir(join(directory, 'admin'))
    await writeFile(join(directory, 'two-factor-auth.js'), script)
    await writeFile(join(directory, 'admin', 'dashboard.js'), script)
    await writeFile(join(directory, 'metadata.json'), JSON.stringify({ script }))
    await writeFile(join(directory, 'admin', 'index.html'), '<!doctype html>')
    await writeFile(join(directory, 'two-factor-auth-ar-x.js'), 'export default {}')

    const done = await precompressDirectory(directory)
    expect(done.map((path) => path.slice(directory!.length + 1))).toEqual([
      'admin/dashboard.js',
      'metadata.json',
      'two-factor-auth-ar-x.js',
      'two-factor-auth.js',
    ])
    expect((await readdir(directory, { recursive: true })).sort()).toEqual([
      'admin',
      'admin/dashboard.js',
      'admin/dashboard.js.br',
      'admin/dashboard.js.gz',
      'admin/index.html',
      'metadata.json',
      'metadata.json.br',
      'metadata.json.gz',
      // 17 bytes grow when compressed: that file goes out as it is.
      'two-factor-auth-ar-x.js',
      'two-factor-auth.js',
      'two-factor-auth.js.br',
      'two-factor-auth.js.gz',
    ])
    const url = pathToFileURL(`${directory}/`)
    const br = await readPrecompressed(url, 'two-factor-auth.js', 'br')
    const gz = await readPrecompressed(new URL('admin/', url), 'dashboard.js', 'gzip')
    expect(brotliDecompressSync(br!).toString()).toBe(script)
    expect(gunzipSync(gz!).toString()).toBe(script)
    expect(br!.length).toBeLessThan(gz!.length)
    expect(await readPrecompressed(url, 'two-factor-auth-ar-x.js', 'br')).toBeUndefined()
  })

  it('reads only the widget’s and the console’s script names, whatever exists on disk', async () => {
    for (const name of ['../../package.json', 'two-factor-auth.js/../../x.js', '.env', 'index.html'])
      for (const encoding of ['br', 'gzip'] as const) {
        expect(await loadPrecompressedWidgetFile(name, encoding), name).toBeUndefined()
        expect(await loadPrecompressedDashboardFile(name, encoding), name).toBeUndefined()
      }
    expect(await loadPrecompressedWidgetFile('two-factor-auth-not-built-ABC.js', 'br')).toBeUndefined()
    expect(await loadPrecompressedDashboardFile('dashboard-not-built-ABC.js', 'gzip')).toBeUndefined()
  })
})
