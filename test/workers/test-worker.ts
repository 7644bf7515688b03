/** The Worker the workerd tests run in: the kit's Durable Object class, exported as a user would. */
import { widgetRoutes } from '../../server/http/widget-routes.js'

export { TwoFactorDurableObject } from '../../server/stores/durable-object-class.js'

// Widget routes that compress /metadata.json themselves, reached through SELF.fetch so that the
// response crosses workerd's HTTP layer, which would encode a body again by its Content-Encoding.
let compressingRoutes: ReturnType<typeof widgetRoutes> | undefined

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === '/metadata.json') {
      compressingRoutes ??= widgetRoutes({
        loadScript: async () => undefined,
        version: '1',
        allowedCountries: ['HR'],
        compressMetadata: true,
      })
      return compressingRoutes.fetch(request)
    }
    return new Response('two-factor-kit test worker', { status: 404 })
  },
} satisfies ExportedHandler
