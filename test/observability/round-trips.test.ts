// What the statistics and the verification index cost: the store calls of one send and one verify.
// Before them (7953e9d, measured with this file) a send made 14 calls in 13 sequential steps, a
// wrong PIN 3 in 3 and a right one 5 in 5. The index adds one write to each, made alongside the
// statistics' one addCounters: a send and a right PIN keep their steps, a wrong PIN (which counted
// nothing before) takes one more. Then a send's rate-limit hits went from nine calls (each its own
// step) to one hitAll per atomic step — the quotas with the range velocity that follows them, the
// spend — and the per-number read that sizes the cooldown to the same step as the scope reads: 15
// calls in 13 steps became 10 in 7. Then the breaker's counters went out with the lists, under the
// keys of scopes without a block (a block names other keys, and is read for again): 10 in 6.
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { memoryStore, type TwoFactorStore } from '../../server/index.js'
import { redisStore } from '../../server/stores/redis.js'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'
import { useRedisServer } from '../helpers/redis-server.js'

/** A memory store that records each call, and counts the sequential steps (calls that overlap none before). */
function countingStore() {
  const calls: string[] = []
  let inFlight = 0
  let steps = 0
  const store = memoryStore()
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        calls.push(String(property))
        if (inFlight === 0) steps += 1
        inFlight += 1
        try {
          // A store a network away: calls made together overlap, calls made one after another don't.
          await new Promise((resolve) => setTimeout(resolve, 2))
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        } finally {
          inFlight -= 1
        }
      }
    },
  }) as TwoFactorStore
  const take = () => {
    const taken = { calls: [...calls], steps }
    calls.length = 0
    steps = 0
    return taken
  }
  return { store: counting, take }
}

describe('store round trips', () => {
  it('a send: 10 calls in 5 sequential steps; a wrong PIN: 5 calls in 4; a right PIN: 6 calls in 5', async () => {
    const { store, take } = countingStore()
    const kit = makeKit({ store })
    const sent = await kit.startVerification(MOBILE_HR)
    const send = take()
    expect(send.calls).toEqual([
      'hit', // the number's sends so far (a read), which size its cooldown, alongside
      'readCounters', // breaker, under the keys of scopes without a block, alongside
      'getListEntries', // allow-list
      'getListEntries', // blocks
      'hitAll', // cooldown, per number, per IP, per application, then range velocity, 1k and 10k
      'hitAll', // spend, application and country
      'createPin',
      'updatePin', // the message id, alongside
      'putListEntry', // the verification index, alongside
      'addCounters', // statistics, totals and breaker counters, together
    ])
    expect(send.steps).toBe(5)

    await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin === '000000' ? '111111' : '000000' })
    expect(take()).toEqual({
      calls: ['getPin', 'hit', 'consumeAttempt', 'addCounters', 'putListEntry'],
      steps: 4,
    })
    await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin })
    expect(take()).toEqual({
      calls: ['getPin', 'hit', 'consumeAttempt', 'markVerified', 'addCounters', 'putListEntry'],
      steps: 5,
    })
  })
})

const redis = useRedisServer()

/**
 * A Redis client that counts the commands it sends and the round trips they take: a command sent
 * while none of the earlier ones has been answered yet rides the same trip (as the bench counts).
 */
function countingRedis() {
  const client = new Redis(redis.server.url)
  let commands = 0
  let roundTrips = 0
  let answeredSinceLastSend = true
  const send = client.sendCommand.bind(client)
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream) => {
    commands += 1
    if (answeredSinceLastSend) roundTrips += 1
    answeredSinceLastSend = false
    const answered = () => void (answeredSinceLastSend = true)
    command.promise.then(answered, answered)
    return send(command, stream)
  }) as Redis['sendCommand']
  const take = () => {
    const taken = { commands, roundTrips }
    commands = 0
    roundTrips = 0
    return taken
  }
  return { client, take }
}

describe('Redis commands and round trips', () => {
  // Before limitedAttempt, a verify's getPin, verify limit and attempt were three commands one
  // after another: a wrong PIN took 5 commands in 4 round trips, a right one 6 in 5. Before the
  // store sent the calls made together as one command, a send took 10 commands in its 7 round
  // trips, a wrong PIN 3 in 2 and a right one 4 in 3: now each round trip is one command. The
  // breaker's counters read alongside the lists took a send from 7 round trips to 6, and the
  // record's patch sent alongside the index and the statistics to 5.
  it('a send: 5 commands in 5 round trips; a wrong PIN: 2 in 2; a right PIN: 3 in 3', async () => {
    const { client, take } = countingRedis()
    try {
      await client.ping()
      const kit = makeKit({ store: redisStore({ client, prefix: `tfk-trips:${crypto.randomUUID()}:` }) })
      // Every script once first: a script Redis doesn't know yet costs one more command, once.
      const warm = await kit.startVerification('+385917654321')
      await kit.post(`/pin/${warm.pinId}/verify`, { pin: warm.pin === '000000' ? '111111' : '000000' })
      await kit.post(`/pin/${warm.pinId}/verify`, { pin: warm.pin })
      take()

      const sent = await kit.startVerification(MOBILE_HR)
      expect(take()).toStrictEqual({ commands: 5, roundTrips: 5 })
      const wrong = await kit.post(`/pin/${sent.pinId}/verify`, {
        pin: sent.pin === '000000' ? '111111' : '000000',
      })
      expect(wrong.status).toBe(422)
      expect(take()).toStrictEqual({ commands: 2, roundTrips: 2 })
      const right = await kit.post(`/pin/${sent.pinId}/verify`, { pin: sent.pin })
      expect(right.status).toBe(200)
      expect(take()).toStrictEqual({ commands: 3, roundTrips: 3 })
    } finally {
      client.disconnect()
    }
  })
})
