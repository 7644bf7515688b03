/**
 * The Cloudflare Workers store: each operation goes to the one Durable Object that owns its key —
 * a PIN to one of PIN_SHARDS objects (`pins:<n>`, by a hash of its pinId), a cached answer to its
 * own (`cache:<key>`); every rate-limit window to one object, `limits`, every counter key to
 * `counters`, every named list to `lists` and every provider message id to `links`. A Durable
 * Object runs one request at a time and its check-and-act methods never await anything but
 * storage, so each operation is atomic however many Workers call it at once, anywhere.
 *
 * Why so few objects: every call to an object is a round trip (in production a network hop), and
 * the first call to an object also creates it — an SQLite database, and the name's first placement
 * — while an object left idle is evicted and must be loaded again. A send takes six windows as one
 * atomic step (`hitAll`), which only one object can do in one call; its counters are read in one
 * call and added in one, and the lists it reads together are read in one. With an object per PIN,
 * window, counter key, list and message id, a send made 26 calls in 14 rounds and created up to
 * seven objects (its PIN, a window per number and per range, a list per number…), and a
 * verification made 10 calls, to a PIN object idle since the send and a new window object. Now a send makes 10 calls in 6 rounds and a verification 6 in 5,
 * all to objects that are there already. The cost: every send and verification goes through
 * `limits` and `counters`, so a deployment's rate is bounded by what one Durable Object serves —
 * as it was before by the application-wide window, which every send took too.
 */
import { StoreError } from '../core/errors.js'
import { checkCounterUpdates } from './counter-updates.js'
import type {
  ConsumeAttemptResult,
  CounterUpdate,
  HitAllResult,
  HitRequest,
  ListEntry,
  PinPatch,
  PinRecord,
  RateLimitHit,
  TwoFactorStore,
} from './types.js'

/** What the store calls on a Durable Object (over RPC). `TwoFactorDurableObject` implements it. */
export interface TwoFactorObjectApi {
  /** Of a PIN's shard, like the rest of the PIN methods. False when the PIN exists already. */
  createPin(record: PinRecord): boolean
  getPin(pinId: string): PinRecord | null
  consumeAttempt(pinId: string, now: number, singleUse: boolean): ConsumeAttemptResult
  markVerified(pinId: string, now: number, singleUse: boolean): boolean
  updatePin(pinId: string, patch: PinPatch): PinRecord | null
  /** Of the `links` object. */
  linkMessage(messageId: string, pinId: string, retainMs: number): void
  linkedPinId(messageId: string): string | null
  /** Of the `limits` object: one window. */
  hit(key: string, limit: number, windowMs: number, now: number, cost: number): RateLimitHit
  /** Of the `limits` object: several windows, as one atomic step (the store's `hitAll`). */
  hitAll(hits: readonly HitRequest[], now: number): HitAllResult
  setCached(value: string, ttlMs: number, now: number): void
  getCached(now: number): string | null
  /** Of the `lists` object, like the rest of the list methods. */
  putListEntry(list: string, id: string, value: string, expiresAt: number | null, now: number): void
  /** Several reads at once (the store's getListEntries calls of one moment), answered in order. */
  getListEntries(reads: readonly ListRead[]): (string | null)[][]
  listEntries(list: string, now: number): ListEntry[]
  /** True when the entry was there and live. */
  deleteListEntry(list: string, id: string, now: number): boolean
  /** Of the `counters` object: every update of a call, each key's additions atomic. */
  addCounters(updates: readonly CounterUpdate[]): void
  readCounters(keys: readonly string[]): Record<string, number>[]
}

/** One `getListEntries` call's arguments. */
export interface ListRead {
  list: string
  ids: readonly string[]
  now: number
}

/** A stub as the Workers runtime hands it out: every method answers with a promise. */
export type TwoFactorObjectStub = {
  [Method in keyof TwoFactorObjectApi]: (
    ...args: Parameters<TwoFactorObjectApi[Method]>
  ) => Promise<ReturnType<TwoFactorObjectApi[Method]>>
}

/**
 * The part of a `DurableObjectNamespace` the store uses, spelled out so that this file needs no
 * Workers types. A `DurableObjectNamespace<TwoFactorDurableObject>` binding fits it.
 */
export interface TwoFactorObjectNamespace<Id = unknown> {
  idFromName(name: string): Id
  get(id: Id): unknown
}

export interface DurableObjectStoreOptions {
  /** The Durable Object namespace binding of `TwoFactorDurableObject` (e.g. `env.TWO_FACTOR_STORE`). */
  namespace: TwoFactorObjectNamespace
}

/**
 * How many objects share the PINs. Enough that no shard is busier than `limits`, which every send
 * and verification calls; few enough that each stays loaded. Changing it moves every live PIN to
 * another shard, where it isn't: change it only with no PIN alive.
 */
export const PIN_SHARDS = 32

/** The object that holds the PIN `pinId`: FNV-1a of the pinId, modulo PIN_SHARDS. */
export function pinShardName(pinId: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < pinId.length; i++) hash = Math.imul(hash ^ pinId.charCodeAt(i), 0x01000193)
  return `pins:${(hash >>> 0) % PIN_SHARDS}`
}

export function durableObjectStore(options: DurableObjectStoreOptions): TwoFactorStore {
  const namespace = options?.namespace
  if (!namespace || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
    throw new TypeError(
      'durableObjectStore: "namespace" must be the Durable Object binding of TwoFactorDurableObject ' +
        '(e.g. env.TWO_FACTOR_STORE, declared under durable_objects.bindings in wrangler.jsonc)',
    )
  }

  const objectFor = (name: string) => namespace.get(namespace.idFromName(name)) as TwoFactorObjectStub
  const pinObject = (pinId: string) => objectFor(pinShardName(pinId))
  const linksObject = () => objectFor('links')
  const listsObject = () => objectFor('lists')
  const limitsObject = () => objectFor('limits')
  const countersObject = () => objectFor('counters')

  /**
   * Whatever goes wrong on the way to or inside an object (overload, reset, exceeded limits, a
   * thrown error) becomes a StoreError, which the flow answers with 503 STORE_UNAVAILABLE. Nothing
   * is retried here: a retry of a check-and-act could count twice.
   */
  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof StoreError) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new StoreError(`durable object store: ${operation} failed: ${reason}`, { cause: error })
    }
  }

  // A message link lives as long as the PIN could: from now, the PIN's whole retention.
  const linkRetention = (record: PinRecord) => Math.max(1, record.retainUntil - record.createdAt)

  /**
   * List reads made at one moment go to the lists object as one call: a send reads the allow-list
   * and the blocks together. A batch is sent once the code that made its reads yields (a microtask
   * later), so it only ever holds reads of one request's turn.
   */
  interface PendingRead {
    read: ListRead
    answer: (values: (string | null)[]) => void
    fail: (error: unknown) => void
  }
  let batch: PendingRead[] | undefined
  const readList = (read: ListRead) =>
    new Promise<(string | null)[]>((answer, fail) => {
      if (!batch) {
        const reads: PendingRead[] = []
        batch = reads
        queueMicrotask(() => {
          batch = undefined
          guarded('getListEntries', () => listsObject().getListEntries(reads.map(({ read }) => read))).then(
            (values) => reads.forEach(({ answer }, index) => answer(values[index]!)),
            (error: unknown) => reads.forEach(({ fail }) => fail(error)),
          )
        })
      }
      batch.push({ read, answer, fail })
    })

  return {
    shared: true,
    createPin: (record) =>
      guarded('createPin', async () => {
        if (!(await pinObject(record.pinId).createPin(record))) {
          throw new StoreError(`pin ${record.pinId} exists already`)
        }
        await Promise.all(
          record.messageIds.map((id) => linksObject().linkMessage(id, record.pinId, linkRetention(record))),
        )
      }),

    getPin: (pinId) => guarded('getPin', () => pinObject(pinId).getPin(pinId)),

    consumeAttempt: (pinId, now, { singleUse }) =>
      guarded('consumeAttempt', () => pinObject(pinId).consumeAttempt(pinId, now, singleUse)),

    markVerified: (pinId, now, { singleUse }) =>
      guarded('markVerified', () => pinObject(pinId).markVerified(pinId, now, singleUse)),

    updatePin: (pinId, patch) =>
      guarded('updatePin', async () => {
        const record = await pinObject(pinId).updatePin(pinId, patch)
        // The link is an index kept by another object, written after the record: a delivery report
        // that arrives in between finds no pin, as it would had it come before the send.
        if (record && patch.addMessageId) {
          await linksObject().linkMessage(patch.addMessageId, pinId, linkRetention(record))
        }
        return record
      }),

    findPinIdByMessageId: (messageId) =>
      guarded('findPinIdByMessageId', () => linksObject().linkedPinId(messageId)),

    hit: (key, limit, windowMs, now, cost = 1) =>
      guarded('hit', () => limitsObject().hit(key, limit, windowMs, now, cost)),

    hitAll: (hits, now) => guarded('hitAll', () => limitsObject().hitAll(hits, now)),

    setCached: (key, value, ttlMs, now) =>
      guarded('setCached', () => objectFor(`cache:${key}`).setCached(value, ttlMs, now)),

    getCached: (key, now) => guarded('getCached', () => objectFor(`cache:${key}`).getCached(now)),

    putListEntry: (list, id, value, expiresAt, now) =>
      guarded('putListEntry', () => listsObject().putListEntry(list, id, value, expiresAt, now)),

    getListEntries: async (list, ids, now) => (ids.length === 0 ? [] : readList({ list, ids, now })),

    listEntries: (list, now) => guarded('listEntries', () => listsObject().listEntries(list, now)),

    deleteListEntry: (list, id, now) =>
      guarded('deleteListEntry', () => listsObject().deleteListEntry(list, id, now)),

    addCounters: async (updates) => {
      checkCounterUpdates('durableObjectStore', updates)
      const adding = updates.filter((update) => Object.keys(update.fields).length > 0)
      if (adding.length > 0) await guarded('addCounters', () => countersObject().addCounters(adding))
    },

    readCounters: (keys) =>
      guarded('readCounters', async () =>
        keys.length === 0 ? [] : await countersObject().readCounters(keys),
      ),
  }
}
