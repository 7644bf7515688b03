// A widget on another origin that the kit doesn't answer (no CORS) fails in the browser as
// "Connection problem"; the server says so once per origin, and which option to set.
import { describe, expect, it } from 'vitest'
import { makeKit } from '../../test/helpers/kit.js'

const hint = 'TWO_FACTOR_ALLOWED_ORIGINS (allowedOrigins)'
const warnings = (logs: string[]) => logs.filter((line) => line.includes(hint))

function fromOrigin(origin: string, method = 'GET', extra: Record<string, string> = {}) {
  return { method, headers: { Origin: origin, ...extra } }
}

describe('a request from an origin the kit does not answer', () => {
  it('logs the origin once, with the variable to set, however many requests it makes', async () => {
    const kit = makeKit()
    for (let i = 0; i < 3; i++) {
      await kit.app.request('/config', fromOrigin('https://shop.example'))
      await kit.app.request('/pin', fromOrigin('https://shop.example', 'OPTIONS'))
    }
    expect(warnings(kit.logs)).toHaveLength(1)
    expect(warnings(kit.logs)[0]).toContain('"origin":"https://shop.example"')
  })

  it('logs an origin not in allowedOrigins, never one in it', async () => {
    const kit = makeKit({ allowedOrigins: ['https://shop.example'] })
    await kit.app.request('/pin', fromOrigin('https://shop.example', 'OPTIONS'))
    await kit.app.request('/config', fromOrigin('https://shop.example'))
    expect(warnings(kit.logs)).toHaveLength(0)
    await kit.app.request('/pin', fromOrigin('https://other.example', 'OPTIONS'))
    expect(warnings(kit.logs)).toHaveLength(1)
    expect(warnings(kit.logs)[0]).toContain('"origin":"https://other.example"')
  })

  it('never logs a same-origin request (Origin equal to the request URL’s, or Sec-Fetch-Site: same-origin)', async () => {
    const kit = makeKit()
    await kit.app.request('http://localhost/config', fromOrigin('http://localhost'))
    await kit.app.request('http://localhost/pin', fromOrigin('http://localhost', 'POST'))
    // Behind a TLS-terminating proxy the kit sees http:// while the page is https://.
    await kit.app.request(
      'http://localhost/config',
      fromOrigin('https://localhost', 'GET', { 'Sec-Fetch-Site': 'same-origin' }),
    )
    await kit.app.request('http://localhost/config')
    expect(warnings(kit.logs)).toHaveLength(0)
  })

  it('never logs for the public files, which answer every origin', async () => {
    const kit = makeKit()
    await kit.app.request('/metadata.json', fromOrigin('https://shop.example'))
    expect(warnings(kit.logs)).toHaveLength(0)
  })

  it('remembers at most 20 origins: 25 distinct origins, each twice → exactly 20 lines', async () => {
    const kit = makeKit()
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 25; i++) await kit.app.request('/config', fromOrigin(`https://site${i}.example`))
    expect(warnings(kit.logs)).toHaveLength(20)
  })
})
