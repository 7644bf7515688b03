/**
 * The dev inbox: what the console SMS provider "sent", as JSON and as a page that refreshes itself.
 * Mounted by the demo only outside production — it shows every PIN.
 */
import { Hono } from 'hono'
import type { ConsoleProvider } from 'two-factor-kit/server'

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev inbox · two-factor-kit</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  header p { color: GrayText; }
  ol { list-style: none; padding: 0; }
  li { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: .75rem; padding: .75rem 1rem; margin: .75rem 0; }
  .meta { font-size: .85rem; color: GrayText; display: flex; justify-content: space-between; gap: 1rem; }
  .text { font-size: 1.1rem; margin-top: .35rem; white-space: pre-wrap; word-break: break-word; }
  .empty { color: GrayText; }
</style>
</head>
<body>
<header>
  <h1>Dev inbox</h1>
  <p>Text messages the console SMS provider "sent", newest first. This page updates by itself and exists only outside production. <a href="/">Back to the demo</a></p>
</header>
<main aria-live="polite"><ol id="messages"></ol><p class="empty" id="empty">No messages yet. Ask for a code on the <a href="/">demo page</a>.</p></main>
<script type="module">
  const list = document.getElementById('messages')
  const empty = document.getElementById('empty')
  let seen = ''
  async function refresh() {
    try {
      const messages = await (await fetch('/dev/inbox.json', { cache: 'no-store' })).json()
      const key = JSON.stringify(messages)
      if (key === seen) return
      seen = key
      empty.hidden = messages.length > 0
      list.replaceChildren(...messages.slice().reverse().map((message) => {
        const item = document.createElement('li')
        const meta = document.createElement('div')
        meta.className = 'meta'
        const to = document.createElement('span')
        to.textContent = 'To ' + message.to
        const at = document.createElement('time')
        at.dateTime = message.at
        at.textContent = new Date(message.at).toLocaleTimeString()
        meta.append(to, at)
        const text = document.createElement('div')
        text.className = 'text'
        text.textContent = message.text
        item.append(meta, text)
        return item
      }))
    } catch {}
  }
  refresh()
  setInterval(refresh, 1500)
</script>
</body>
</html>`

export function devInbox(provider: ConsoleProvider): Hono {
  const app = new Hono()
  app.get('/inbox.json', (c) => {
    c.header('Cache-Control', 'no-store')
    return c.json(provider.outbox.map(({ to, text, at }) => ({ to, text, at })))
  })
  app.get('/inbox', (c) => {
    c.header('Cache-Control', 'no-store')
    return c.html(page)
  })
  return app
}
