/**
 * How many Durable Object calls one send and one verification make, inside real workerd, with the
 * bench's limits (every policy counted, none tripping). Each call is a round trip to an object — in
 * production a network hop, and a call to an object never used before also creates it — so the
 * store makes one call per atomic step (a send's quota windows in one `hitAll`, all counters of a
 * request in one call) to objects that are there already (shared ones, and one of PIN_SHARDS for
 * the PIN). Calls made together (Promise.all) share a round; rounds follow each other.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { consoleProvider } from '../../server/providers/console.js'
import {
  durableObjectStore,
  pinShardName,
  type TwoFactorObjectNamespace,
} from '../../server/stores/durable-object.js'
import { twoFactor } from '../../server/workers.js'
import { benchLimits } from '../bench/bench-app.js'

const namespace = env.TWO_FACTOR_STORE

/**
 * The namespace, noting every call to every object as `<round> <method> <object kind>`, and the
 * objects that no earlier call reached (a call to an object never used before creates it). A call's
 * round is one past the latest round of the calls that had answered when it started: calls made
 * together share a round, a call that waited for another's answer comes after it.
 */
function countingNamespace() {
  const calls: string[] = []
  let answered = 0
  const seen = new Set<string>()
  const firstCalled: string[] = []
  const counting: TwoFactorObjectNamespace<{ name: string; id: DurableObjectId }> = {
    idFromName: (name) => ({ name, id: namespace.idFromName(name) }),
    get: ({ name, id }) => {
      const stub = namespace.get(id) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
      return new Proxy(
        {},
        {
          get:
            (_, method: string) =>
            async (...args: unknown[]) => {
              const round = answered + 1
              if (!seen.has(name)) {
                seen.add(name)
                firstCalled.push(name.replace(/:.*$/, ''))
              }
              // Per-request names (a pinId, a number, a message id) as their kind only.
              calls.push(`${round} ${method} ${name.replace(/:.*$/, '')}`)
              try {
                return await stub[method]!(...args)
              } finally {
                answered = Math.max(answered, round)
              }
            },
        },
      )
    },
  }
  return {
    namespace: counting,
    take() {
      const taken = { calls: [...calls], rounds: answered, firstCalled: [...firstCalled] }
      calls.length = 0
      firstCalled.length = 0
      answered = 0
      return taken
    },
  }
}

describe('Durable Object calls per request', () => {
  it('a send makes 10 calls in 6 rounds, a verification 6 calls in 5 rounds, and neither reaches an object made for it', async () => {
    const counting = countingNamespace()
    const sms = consoleProvider({ print: null, outboxSize: 1 })
    const app = twoFactor(env, {
      sms,
      logger: { info() {}, warn() {}, error: console.error },
      ...benchLimits,
      store: durableObjectStore({ namespace: counting.namespace }),
    })
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.9' },
        body: JSON.stringify(body),
      })
    // Twice: the second pair finds the shared objects there already and reaches no object an earlier
    // request didn't — none per PIN, number, range or message id — unless its PIN's shard is one
    // of the PIN_SHARDS objects that no earlier PIN fell into.
    const pinShardsSeen = new Set<string>()
    for (const [index, phoneNumber] of ['+385914400001', '+385914400002'].entries()) {
      const sent = await post('/pin', { phoneNumber })
      expect(sent.status).toBe(201)
      const { pinId } = (await sent.json()) as { pinId: string }
      const shardIsNew = !pinShardsSeen.has(pinShardName(pinId))
      pinShardsSeen.add(pinShardName(pinId))
      expect(counting.take()).toStrictEqual({
        calls: [
          // the number's earlier sends; the allow-list and the blocks, read together; the pumping
          // breaker's conversion counters, read alongside
          '1 hit limits',
          '1 readCounters counters',
          '1 getListEntries lists',
          '2 hitAll limits', // cooldown, number, IP, application, two range velocities
          '3 hitAll limits', // spend: application and country
          '4 createPin pins',
          '5 updatePin pins', // the message id and delivery status, alongside
          '5 putListEntry lists', // the number's verification log, alongside
          '5 addCounters counters', // breaker and statistics
          '6 linkMessage links',
        ],
        rounds: 6,
        firstCalled: [
          ...(index === 0 ? ['limits', 'counters', 'lists'] : []),
          ...(shardIsNew ? ['pins'] : []),
          ...(index === 0 ? ['links'] : []),
        ],
      })

      const pin = /\b\d{6}\b/.exec(sms.outbox.at(-1)!.text)![0]
      const verified = await post(`/pin/${pinId}/verify`, { pin })
      expect(verified.status).toBe(200)
      expect(counting.take()).toStrictEqual({
        calls: [
          '1 getPin pins',
          '2 hit limits',
          '3 consumeAttempt pins',
          '4 markVerified pins',
          '5 addCounters counters',
          '5 putListEntry lists',
        ],
        rounds: 5,
        firstCalled: [],
      })
    }
  })
})
