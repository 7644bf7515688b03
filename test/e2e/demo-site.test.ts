/** The demo site on its own, with a stand-in verifier: what it embeds, and when it shows /account. */
import { describe, expect, it } from 'vitest'
import { demoSite } from '../../demo/site.js'
import { generateSigningKey, memoryStore } from '../../server/index.js'
import { makeKit } from '../helpers/kit.js'

const verifier = {
  async verify(token: string) {
    if (token !== 'good-token') throw new Error('TOKEN_INVALID')
    return { phoneNumber: '+385911234567' }
  },
}
const site = demoSite({ verifier, endpoint: '/2fa/' })
const post = (fields: Record<string, string>) =>
  site.request('/account', { method: 'POST', body: new URLSearchParams(fields) })

describe('demoSite', () => {
  it('embeds the widget with a script tag and the element, in a form that posts to /account', async () => {
    const page = await (await site.request('/')).text()
    expect(page).toContain('<script type="module" src="/2fa/widget.js"></script>')
    expect(page).toContain('<two-factor-auth endpoint="/2fa" name="phone_token"></two-factor-auth>')
    expect(page).toMatch(/<form method="post" action="\/account">/)
    expect(page).toContain('href="/dev/inbox"')
  })

  it('shows the account only for a token the verifier accepts', async () => {
    const welcome = await post({ name: 'Ana <b>', email: 'a@example.com', phone_token: 'good-token' })
    expect(welcome.status).toBe(200)
    const page = await welcome.text()
    expect(page).toContain('Welcome, Ana &lt;b&gt;!')
    expect(page).toContain('+385911234567')

    const refusals: Record<string, string>[] = [{ name: 'Eve', phone_token: 'forged' }, { name: 'Eve' }]
    for (const fields of refusals) {
      const refused = await post(fields)
      expect(refused.status).toBe(403)
      const text = await refused.text()
      expect(text).toContain('We couldn’t confirm your phone number')
      expect(text).toContain('<a href="/">Back to sign-up</a>')
    }
  })

  it('answers a malformed, mistyped or oversized form with its refusal page (4xx), never 500', async () => {
    const form = (contentType: string, body: string) => ({
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    })
    const cases: Record<string, RequestInit> = {
      'multipart with a boundary but no parts': form('multipart/form-data; boundary=x', 'garbage'),
      'multipart without a boundary': form('multipart/form-data', 'phone_token=good-token'),
      'JSON instead of a form': form('application/json', '{"phone_token":"good-token"'),
      'broken percent-encoding': form('application/x-www-form-urlencoded', 'phone_token=%zz&name=%'),
      'no content type': { method: 'POST', body: 'phone_token=good-token' },
      'a 1 MB form': {
        method: 'POST',
        body: new URLSearchParams({ name: 'x'.repeat(1_000_000), phone_token: 'good-token' }),
      },
    }
    for (const [name, init] of Object.entries(cases)) {
      const response = await site.request('/account', init)
      expect(response.status, name).toBeGreaterThanOrEqual(400)
      expect(response.status, name).toBeLessThan(500)
      const text = await response.text()
      expect(text, name).toContain('We couldn’t confirm your phone number')
      expect(text, name).toContain('<a href="/">Back to sign-up</a>')
    }
    // Refused for its size, before it is read whole.
    expect((await site.request('/account', cases['a 1 MB form'])).status).toBe(413)
  })

  it('shows the refusal page (403) for a token the kit’s own verifier finds expired', async () => {
    // A kit whose clock is an hour behind issues a token that expired 55 minutes ago.
    const past = () => Date.now() - 3_600_000
    const signingKey = await generateSigningKey('EdDSA')
    const stale = makeKit({ clock: past, store: memoryStore({ clock: past }), signingKey })
    const { pinId, pin } = await stale.startVerification()
    const { token } = (await (await stale.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }

    const shop = demoSite({ verifier: makeKit({ signingKey }).app.verifier, endpoint: '/2fa' })
    const response = await shop.request('/account', {
      method: 'POST',
      body: new URLSearchParams({ name: 'Ana', phone_token: token }),
    })
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('it may have expired')
  })

  it('refuses a plain visit to /account with a way back', async () => {
    const response = await site.request('/account')
    expect(response.status).toBe(401)
    expect(await response.text()).toContain('Back to sign-up')
  })

  it('says what is missing from its options', () => {
    expect(() => demoSite({ endpoint: '/2fa' } as never)).toThrow(/verifier/)
    expect(() => demoSite({ verifier, endpoint: 'https://x' })).toThrow(/endpoint/)
  })
})
