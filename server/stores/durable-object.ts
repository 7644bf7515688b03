/**
 * The Cloudflare Workers store: each operation goes to the one Durable Object that owns its key —
 * one object per PIN (`pin:<pinId>`) and per cached answer (`cache:<key>`); one object, `limits`,
 * for every rate-limit window, one, `counters`, for every counter key, one, `lists`, for every
 * named list and one, `links`, for every provider message id. A Durable Object runs one request at
 * a time and its check-and-act methods never await anything but storage, so each operation is
 * atomic however many Workers call it at once, anywhere.
 *
 * Why the shared objects: every call to an object is a round trip (in production a network hop),
 * and the first call to an object also creates it. A send takes six windows as one atomic step
 * (`hitAll`), which only one object can do in one call; its counters are read in one call and added
 * in one. With one object per window, counter key, list and message id, a send made 26 calls in 14
 * rounds and created up to seven objects (a window per number, per range, a list per number…), a
 * verification 10 calls, creating one; now a send makes 11 calls in 8 rounds and creates one object,
 * its PIN's, and a verification 6 calls, creating none. The cost: every send and verification goes
 * through the shared objects, so one deployment's rate is bounded by what one Durable Object serves
 * (a few calls per send each) — as it was before by the application-wide window, which every send
 * took too, and the blocks list, which every send read.
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
  /** False when this object holds a PIN already. */
  createPin(record: PinRecord): boolean
  getPin(): PinRecord | null
  consumeAttempt(now: number, singleUse: boolean): ConsumeAttemptResult
  markVerified(now: number, singleUse: boolean): boolean
  updatePin(patch: PinPatch): PinRecord | null
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
  getListEntries(list: string, ids: readonly string[], now: number): (string | null)[]
  listEntries(list: string, now: number): ListEntry[]
  /** True when the entry was there and live. */
  deleteListEntry(list: string, id: string, now: number): boolean
  /** Of the `counters` object: every update of a call, each key's additions atomic. */
  addCounters(updates: readonly CounterUpdate[]): void
  readCounters(keys: readonly string[]): Record<string, number>[]
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

export function durableObjectStore(options: DurableObjectStoreOptions): TwoFactorStore {
  const namespace = options?.namespace
  if (!namespace || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
    throw new TypeError(
      'durableObjectStore: "namespace" must be the Durable Object binding of TwoFactorDurableObject ' +
        '(e.g. env.TWO_FACTOR_STORE, declared under durable_objects.bindings in wrangler.jsonc)',
    )
  }

  const objectFor = (name: string) => namespace.get(namespace.idFromName(name)) as TwoFactorObjectStub
  const pinObject = (pinId: string) => objectFor(`pin:${pinId}`)
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

    getPin: (pinId) => guarded('getPin', () => pinObject(pinId).getPin()),

    consumeAttempt: (pinId, now, { singleUse }) =>
      guarded('consumeAttempt', () => pinObject(pinId).consumeAttempt(now, singleUse)),

    markVerified: (pinId, now, { singleUse }) =>
      guarded('markVerified', () => pinObject(pinId).markVerified(now, singleUse)),

    updatePin: (pinId, patch) =>
      guarded('updatePin', async () => {
        const record = await pinObject(pinId).updatePin(patch)
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

    getListEntries: (list, ids, now) =>
      guarded('getListEntries', async () =>
        ids.length === 0 ? [] : await listsObject().getListEntries(list, ids, now),
      ),

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
