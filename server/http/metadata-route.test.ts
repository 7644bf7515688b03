// The widget's phone metadata is data, not files: every entry serves it, with or without `widget`.
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { makeKit } from '../../test/helpers/kit.js'

describe('GET /metadata.json without the widget option', () => {
  it('answers 200 with the allowed countries’ metadata, cached for an hour and revalidated by ETag', async () => {
    const kit = makeKit({ allowedCountries: ['HR'] })
    const response = await kit.get('/metadata.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600, stale-while-revalidate=86400')
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*')
    const body = (await response.json()) as { metadata: { countries: Record<string, unknown> } }
    expect(Object.keys(body.metadata.countries)).toEqual(['HR'])

    const etag = response.headers.get('ETag')
    expect(etag).toMatch(/^"[^"]+"$/)
    const again = await kit.app.request('/metadata.json', { headers: { 'If-None-Match': etag! } })
    expect(again.status).toBe(304)
  })

  it('goes out gzipped to a client that accepts it', async () => {
    const kit = makeKit({ allowedCountries: ['HR'] })
    const response = await kit.app.request('/metadata.json', { headers: { 'Accept-Encoding': 'gzip' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Encoding')).toBe('gzip')
    expect(response.headers.get('Vary')).toBe('Accept-Encoding')
    const text = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8')
    expect(Object.keys((JSON.parse(text) as { metadata: { countries: object } }).metadata.countries)).toEqual(
      ['HR'],
    )
  })

  it('still leaves /widget.js to the entries that have the files (404 in the kit’s envelope)', async () => {
    const kit = makeKit()
    const response = await kit.get('/widget.js')
    expect(response.status).toBe(404)
  })
})
