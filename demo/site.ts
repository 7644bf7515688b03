/**
 * The demo's host site: "Kavana", a small coffee-subscription shop whose sign-up form embeds the
 * widget with two lines (script tag + element) and submits the token. `/account` is shown only
 * after the server checks that token with the kit's verifier — never on the widget's word.
 * Web APIs only: the Node demo and its Workers twin both mount it.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

export interface DemoSiteOptions {
  /** Checks a phone token; rejects when it is missing, forged, expired or for another audience. */
  verifier: { verify(token: string): Promise<{ phoneNumber: string }> }
  /** Where the 2FA app is mounted, e.g. `/2fa`. */
  endpoint: string
}

const styles = raw(`
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5;
    --brand: light-dark(#7c2d12, #fdba74); --muted: light-dark(#57534e, #d6d3d1); }
  body { margin: 0; background: light-dark(#faf7f2, #1c1917); color: light-dark(#1c1917, #f5f5f4); }
  header, main, footer { max-width: 34rem; margin: 0 auto; padding: 1rem 1.25rem; }
  header { display: flex; justify-content: space-between; align-items: baseline; }
  .logo { font-weight: 800; font-size: 1.3rem; color: var(--brand); text-decoration: none; }
  h1 { font-size: 1.6rem; margin: .5rem 0; }
  p.lead, footer, .note { color: var(--muted); }
  form { display: grid; gap: 1rem; margin-top: 1.5rem; }
  label { display: grid; gap: .35rem; font-weight: 600; }
  input { font: inherit; font-size: max(16px, 1em); padding: .6em .75em; border-radius: .5rem;
    border: 1px solid color-mix(in srgb, currentColor 45%, transparent); }
  button { font: inherit; font-weight: 700; padding: .75em 1.25em; border: 0; border-radius: .5rem;
    background: var(--brand); color: light-dark(#fff, #1c1917); cursor: pointer; justify-self: start; }
  two-factor-auth { --two-factor-accent: var(--brand); --two-factor-accent-text: light-dark(#fff, #1c1917); }
  .card { background: light-dark(#fff, #292524); border-radius: 1rem; padding: 1.25rem 1.5rem;
    box-shadow: 0 1px 3px rgb(0 0 0 / .12); }
  a { color: var(--brand); }
`)

/** Name, email and a token of well under 1 KB each. */
const FORM_MAX_BYTES = 16 * 1024

type Html = HtmlEscapedString | Promise<HtmlEscapedString>

function page(title: string, body: Html, head: Html | string = '') {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Kavana</title>
        <style>
          ${styles}
        </style>
        ${head}
      </head>
      <body>
        <header>
          <a class="logo" href="/">☕ Kavana</a>
          <a href="/dev/inbox" target="_blank">Dev inbox (your SMS)</a>
        </header>
        <main>${body}</main>
        <footer>
          A demo of two-factor-kit. Codes are “sent” by the console provider: read them in the dev inbox.
        </footer>
      </body>
    </html>`
}

function refusal(message: string) {
  return page(
    'Not verified',
    html`<div class="card" role="alert">
      <h1>We couldn’t confirm your phone number</h1>
      <p>${message}</p>
      <p><a href="/">Back to sign-up</a> and verify your number with the code we text you.</p>
    </div>`,
  )
}

export function demoSite(options: DemoSiteOptions): Hono {
  if (typeof options?.verifier?.verify !== 'function')
    throw new TypeError('demoSite needs "verifier" (the kit app’s verifier)')
  const endpoint = options.endpoint.replace(/\/+$/, '')
  if (!endpoint.startsWith('/'))
    throw new TypeError('demoSite needs "endpoint", the path the 2FA app is mounted at, e.g. "/2fa"')
  const app = new Hono()

  app.get('/', (c) =>
    c.html(
      page(
        'Sign up',
        html`<h1>Fresh beans, every other Friday</h1>
          <p class="lead">
            Create your account. We confirm your phone number by SMS so that delivery drivers can reach you.
          </p>
          <form method="post" action="/account">
            <label>Name <input name="name" autocomplete="name" required /></label>
            <label>Email <input name="email" type="email" autocomplete="email" required /></label>
            <two-factor-auth endpoint="${endpoint}" name="phone_token"></two-factor-auth>
            <button type="submit">Create account</button>
          </form>
          <p class="note">
            No real SMS is sent: open the <a href="/dev/inbox" target="_blank">dev inbox</a> in another tab to
            read your code.
          </p>`,
        html`<script type="module" src="${endpoint}/widget.js"></script>`,
      ),
    ),
  )

  // Reloading or bookmarking /account without a fresh token leads back to sign-up.
  app.get('/account', (c) =>
    c.html(refusal('This page is only shown right after signing up with a verified phone number.'), 401),
  )

  // The sign-up form is three short fields: anything bigger is not from it, and is not read whole.
  const formLimit = bodyLimit({
    maxSize: FORM_MAX_BYTES,
    onError: (c) => c.html(refusal('The form was too large to be ours. Please fill it in again.'), 413),
  })

  app.post('/account', formLimit, async (c) => {
    let form: Awaited<ReturnType<typeof c.req.parseBody>>
    try {
      form = await c.req.parseBody()
    } catch {
      // A body that claims to be a form and isn't (a broken multipart): the browser's form never sends it.
      return c.html(refusal('The form arrived unreadable. Please fill it in again.'), 400)
    }
    const token = typeof form.phone_token === 'string' ? form.phone_token : ''
    const name = typeof form.name === 'string' && form.name.trim() ? form.name.trim() : 'there'
    if (!token) return c.html(refusal('The form arrived without a phone verification.'), 403)
    let phoneNumber: string
    try {
      ;({ phoneNumber } = await options.verifier.verify(token))
    } catch {
      return c.html(
        refusal('The phone verification is not valid (it may have expired). Please verify again.'),
        403,
      )
    }
    c.header('Cache-Control', 'no-store')
    return c.html(
      page(
        'Your account',
        html`<div class="card">
          <h1>Welcome, ${name}!</h1>
          <p>
            Your account is ready. We’ll text <strong>${phoneNumber}</strong> when your beans are on their
            way.
          </p>
          <p class="note">This page was shown because the server verified the token from the widget.</p>
        </div>`,
      ),
    )
  })

  return app
}
