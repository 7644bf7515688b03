/**
 * The OpenAPI document is generated ahead of time (scripts/openapi-document.ts), so the JSON Schema
 * conversion stays out of the server's and a Worker's bundle: the text served must be exactly what
 * the routes' schemas make today, with the kit's version in it.
 */
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../../server/http/openapi.js'
import { OPENAPI_DOCUMENT } from '../../server/http/openapi-document.js'
import { VERSION_PLACEHOLDER } from '../../server/http/openapi-version.js'
import { makeKit } from '../helpers/kit.js'

describe('the generated OpenAPI document', () => {
  it('is what the routes make now (else run `npx tsx scripts/openapi-document.ts`)', () => {
    expect(OPENAPI_DOCUMENT).toBe(JSON.stringify(openApiDocument(VERSION_PLACEHOLDER)))
  })

  it('is served with the version the host told the kit, byte for byte the document of that version', async () => {
    const kit = makeKit({ widget: { loadScript: async () => 'export {}', version: '1.2.3"\\x' } })
    const served = await (await kit.get('/openapi.json')).text()
    expect(served).toBe(JSON.stringify(openApiDocument('1.2.3"\\x')))
  })

  it("is served as 'unversioned' when the host told no version", async () => {
    const served = await (await makeKit().get('/openapi.json')).text()
    expect(served).toBe(JSON.stringify(openApiDocument('unversioned')))
  })
})
