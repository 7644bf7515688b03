/** The demo site on its own, with a stand-in verifier: what it embeds, and when it shows /account. */
import { describe, expect, it } from 'vitest'
import { demoSite } from '../../demo/site.js'

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
