import { serve } from 'two-factor-kit/server/node'
import { app, phone } from './app.js'

await phone.ready // a key that can't be used stops the start, not the first request

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) =>
  console.log(`listening on http://localhost:${info.port}`),
)
