/** The Worker the workerd tests run in: the kit's Durable Object class, exported as a user would. */
export { TwoFactorDurableObject } from '../../server/stores/durable-object-class.js'

export default {
  async fetch(): Promise<Response> {
    return new Response('two-factor-kit test worker', { status: 404 })
  },
} satisfies ExportedHandler
