/**
 * A Redis store for several Node instances sharing one budget. Every operation is one Lua script (or
 * one single-key command), which Redis runs to completion before anything else: that is what makes
 * each check-and-act atomic across processes. The operations called in one turn of the event loop
 * travel as one command (BATCH, below), each still one script's worth of atomic work.
 *
 * Keys (all under `prefix`, all expiring but a list with a never-expiring entry): `pin:<pinId>` a
 * hash per PIN record, kept until its `retainUntil`; `msg:<messageId>` the pinId a provider message
 * belongs to; `rl:<key>` a hash `{ count, resetAt }` per rate-limit window (deleted when given back
 * to zero); `cache:<key>` a cached lookup answer; `list:<name>` a hash per named list, entry id →
 * `<expiresAt or empty>|<value>`, expired entries pruned whenever the list is touched, the key kept
 * until its last entry expires; `cnt:<key>` a hash of counters, field → integer, kept `ttlMs` from
 * its first addition.
 *
 * Expiry is relative (`PEXPIRE retainUntil - createdAt`, `PEXPIRE windowMs`): a key lives as long as
 * the caller asked, counted on Redis' clock, so the caller's clock need not agree with the server's.
 * Validity decisions always use the caller's `now`. (A fake clock that runs slower than real time
 * sees windows end early on Redis, never late.) One Redis (or a primary with replicas) only: `updatePin` with a message id writes
 * two keys in one script, which Redis Cluster would refuse across slots.
 *
 * The client is injected; ioredis is an optional peer dependency. Use `failFastRedisOptions` so that
 * an unreachable Redis fails each request at once (503 STORE_UNAVAILABLE) instead of queueing it.
 */
import { createHash } from 'node:crypto'
import type { Redis, RedisOptions } from 'ioredis'
import { StoreError } from '../core/errors.js'
import { PATCHABLE_PIN_FIELDS } from '../core/pin-record.js'
import { checkCounterUpdates } from './counter-updates.js'
import type {
  ConsumeAttemptResult,
  HitAllResult,
  LimitedAttemptResult,
  ListEntry,
  PinPatch,
  PinRecord,
  RateLimitHit,
  TwoFactorStore,
} from './types.js'

export interface RedisStoreOptions {
  /** A connected ioredis client, e.g. `new Redis(process.env.REDIS_URL, failFastRedisOptions)`. */
  client: Redis
  /**
   * Put in front of every key, so several applications (or test runs) can share one Redis.
   * @default 'tfk:'
   */
  prefix?: string
}

/**
 * ioredis options that make an outage visible at once instead of hanging requests:
 * - `enableOfflineQueue: false` — while disconnected, commands fail immediately instead of waiting;
 * - `maxRetriesPerRequest: 1` — a command cut off by a dropped connection is not replayed for long;
 * - `connectTimeout` / `commandTimeout` — a Redis that accepts but does not answer fails in ~1 s;
 * - `retryStrategy` — keep reconnecting quickly (≤ 1 s apart), so the flow recovers when Redis is back.
 * With the offline queue off, connect before serving: `new Redis(url, { ...failFastRedisOptions,
 * lazyConnect: true })`, then `await client.connect()`.
 */
export const failFastRedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
} satisfies RedisOptions

/**
 * A connected ioredis client with `failFastRedisOptions` (plus `overrides`), for a Node entry that
 * reads `REDIS_URL`: `redisStore({ client: await connectRedisClient(process.env.REDIS_URL) })`.
 * ioredis is loaded only here, so the kit needs it installed only when Redis is used.
 */
export async function connectRedisClient(url: string, overrides: RedisOptions = {}): Promise<Redis> {
  if (!/^rediss?:\/\//.test(url ?? '')) {
    throw new TypeError(
      `connectRedisClient: expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
    )
  }
  const { Redis } = await import('ioredis')
  const client = new Redis(url, { ...failFastRedisOptions, ...overrides, lazyConnect: true })
  // The failed connect is reported by the rejection below, not as an "unhandled error event" too.
  const duringConnect = () => {}
  client.on('error', duringConnect)
  try {
    await client.connect()
    client.off('error', duringConnect)
  } catch (error) {
    client.disconnect()
    const reason = error instanceof Error ? error.message : String(error)
    throw new StoreError(`redis store: could not connect to ${new URL(url).host}: ${reason}`, {
      cause: error,
    })
  }
  return client
}

// KEYS: pin, message links… ARGV: ttlMs, pinId, field/value pairs…
const CREATE_PIN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[1]) end
return 1`

// The Lua below mirrors core/pin-record.ts (unusableReason + takeAttempt, markRecordVerified,
// applyPinPatch) step for step; the store conformance suite holds both to the same answers.

// KEYS: pin. ARGV: now, singleUse ('1'|'0'). The refusals of unusableReason, in its order; running
// out of attempts leaves the record to the request that took the last one.
const CONSUME_ATTEMPT = `
local f = redis.call('HMGET', KEYS[1], 'lifecycle', 'expiresAt', 'attemptsRemaining')
if not f[1] then return {'NOT_FOUND'} end
if f[1] == 'VERIFIED' and ARGV[2] == '1' then return {'ALREADY_VERIFIED'} end
if tonumber(ARGV[1]) >= tonumber(f[2]) then
  redis.call('HSET', KEYS[1], 'pinMac', '')
  return {'EXPIRED'}
end
if f[1] == 'LOCKED' or tonumber(f[3]) <= 0 then return {'NO_MORE_ATTEMPTS'} end
redis.call('HINCRBY', KEYS[1], 'attemptsRemaining', -1)
return {'OK', redis.call('HGETALL', KEYS[1])}`

// KEYS: pin. ARGV: now, singleUse.
const MARK_VERIFIED = `
local f = redis.call('HMGET', KEYS[1], 'lifecycle', 'expiresAt', 'pinMac')
if not f[1] or f[3] == '' or f[1] == 'LOCKED' then return 0 end
if tonumber(ARGV[1]) >= tonumber(f[2]) then return 0 end
if f[1] == 'VERIFIED' and ARGV[2] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'lifecycle', 'VERIFIED', 'verifiedAt', ARGV[1])
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'pinMac', '') end
return 1`

// KEYS: pin, message link (unused without a message id). ARGV: pinId, JSON-quoted message id or '',
// field/value pairs… The message id arrives JSON-encoded, so appending it is plain string work.
const UPDATE_PIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
if ARGV[2] ~= '' then
  local ids = redis.call('HGET', KEYS[1], 'messageIds')
  if ids == '[]' then ids = '[' .. ARGV[2] .. ']' else ids = string.sub(ids, 1, -2) .. ',' .. ARGV[2] .. ']' end
  redis.call('HSET', KEYS[1], 'messageIds', ids)
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[2], ARGV[1]) end
end
return redis.call('HGETALL', KEYS[1])`

// One window's hit, as the HIT and HIT_ALL scripts share it: `a` is where its arguments start in
// ARGV — resetAt of a new window, windowMs, cost, limit — and `cost` may differ from ARGV's (a
// give-back). Returns allowed (1|0), count, resetAt (a string: Lua would print big numbers in
// %.14g). A window given back to zero is deleted, so a refused request leaves no key behind (and
// not one per number it named, kept for a day); the next hit opens a window that ends no sooner.
const HIT_FUNCTION = `
local now = tonumber(ARGV[1])
local function hit(key, a, cost)
  local limit = tonumber(ARGV[a + 3])
  local w = redis.call('HMGET', key, 'count', 'resetAt')
  local count, resetAt, opens = 0, ARGV[a], true
  if w[2] and tonumber(w[2]) > now then
    count, resetAt, opens = tonumber(w[1]), w[2], false
  else
    if w[2] then redis.call('DEL', key) end
    if cost <= 0 then return 1, 0, resetAt end
  end
  if cost ~= 0 then
    count = math.max(0, count + cost)
    if count == 0 then
      redis.call('DEL', key)
    else
      redis.call('HSET', key, 'count', count, 'resetAt', resetAt)
      -- A live window's key got its expiry when the window opened.
      if opens then redis.call('PEXPIRE', key, ARGV[a + 1]) end
    end
  end
  if count <= limit then return 1, count, resetAt end
  return 0, count, resetAt
end
`

// KEYS: window. ARGV: now, resetAt of a new window, windowMs, cost, limit.
const HIT = `${HIT_FUNCTION}
local allowed, count, resetAt = hit(KEYS[1], 2, tonumber(ARGV[4]))
return {allowed, count, resetAt}`

// KEYS: windows. ARGV: now, then per window: resetAt of a new window, windowMs, cost, limit. Hits
// each in order; at the first refused one, gives back every hit taken (that one too) and returns
// {0, its index (from 0), count, resetAt}; else {1, count, resetAt, count, resetAt, …}.
const HIT_ALL = `${HIT_FUNCTION}
local answer = {1}
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 4
  local allowed, count, resetAt = hit(KEYS[i], a, tonumber(ARGV[a + 2]))
  if allowed == 0 then
    for j = 1, i do
      local b = 2 + (j - 1) * 4
      hit(KEYS[j], b, -tonumber(ARGV[b + 2]))
    end
    return {0, i - 1, count, resetAt}
  end
  answer[#answer + 1], answer[#answer + 2] = count, resetAt
end
return answer`

// KEYS: pin, the verify limit's window for an ordinary number. ARGV: now, then the window's resetAt
// of a new window, windowMs, cost (1), limit, then singleUse, and the key prefix of a test number's
// window (its phone number follows; read from the record, so not in KEYS: one Redis only, as
// above). getPin, hit and consumeAttempt (CONSUME_ATTEMPT's refusals, in its order) as one script.
// Returns {outcome, the record's HGETALL before the attempt, count, resetAt}: outcome NOT_FOUND
// (alone), RATE_LIMITED, OK or a refusal.
const LIMITED_ATTEMPT = `${HIT_FUNCTION}
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {'NOT_FOUND'} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
local window = KEYS[2]
if f.testNumber == '1' then window = ARGV[7] .. f.phoneNumber end
local allowed, count, resetAt = hit(window, 2, tonumber(ARGV[4]))
if allowed == 0 then return {'RATE_LIMITED', h, count, resetAt} end
if f.lifecycle == 'VERIFIED' and ARGV[6] == '1' then return {'ALREADY_VERIFIED', h, count, resetAt} end
if now >= tonumber(f.expiresAt) then
  redis.call('HSET', KEYS[1], 'pinMac', '')
  return {'EXPIRED', h, count, resetAt}
end
if f.lifecycle == 'LOCKED' or tonumber(f.attemptsRemaining) <= 0 then
  return {'NO_MORE_ATTEMPTS', h, count, resetAt}
end
redis.call('HINCRBY', KEYS[1], 'attemptsRemaining', -1)
return {'OK', h, count, resetAt}`

// Prunes the entries of a list (KEYS[1]) that are expired at `now` and lets the key expire with its
// last entry (never, while one entry has no expiresAt). Returns the live entries as a flat list.
// Lists are small (blocks, allow-list entries): reading one whole costs little.
const TIDY_LIST = `
local function tidy(key, now)
  local h = redis.call('HGETALL', key)
  local live, latest = {}, 0
  for i = 1, #h, 2 do
    local expiresAt = tonumber(string.sub(h[i + 1], 1, string.find(h[i + 1], '|', 1, true) - 1))
    if expiresAt and expiresAt <= now then
      redis.call('HDEL', key, h[i])
    else
      live[#live + 1], live[#live + 2] = h[i], h[i + 1]
      if not expiresAt then latest = nil elseif latest and expiresAt > latest then latest = expiresAt end
    end
  end
  if #live == 0 then return live end
  if latest then
    redis.call('PEXPIRE', key, string.format('%d', math.ceil(latest - now)))
  else
    redis.call('PERSIST', key)
  end
  return live
end
`

// KEYS: list. ARGV: now, id, '<expiresAt or empty>|<value>', expired ('1'|'0').
const PUT_LIST_ENTRY = `${TIDY_LIST}
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], ARGV[2]) else redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
tidy(KEYS[1], tonumber(ARGV[1]))
return 1`

// KEYS: list. ARGV: now, ids… Returns each id's stored '<expiresAt>|<value>', false when absent or
// expired (and prunes those).
const GET_LIST_ENTRIES = `
local now, found = tonumber(ARGV[1]), redis.call('HMGET', KEYS[1], unpack(ARGV, 2))
for i = 1, #found do
  if found[i] then
    local expiresAt = tonumber(string.sub(found[i], 1, string.find(found[i], '|', 1, true) - 1))
    if expiresAt and expiresAt <= now then
      redis.call('HDEL', KEYS[1], ARGV[i + 1])
      found[i] = false
    end
  end
end
return found`

// KEYS: list. ARGV: now.
const LIST_ENTRIES = `${TIDY_LIST}
return tidy(KEYS[1], tonumber(ARGV[1]))`

// KEYS: list. ARGV: now, id. Returns 1 when the entry was there and live.
const DELETE_LIST_ENTRY = `${TIDY_LIST}
tidy(KEYS[1], tonumber(ARGV[1]))
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
tidy(KEYS[1], tonumber(ARGV[1]))
return 1`

// KEYS: counter keys. ARGV, per key in order: ttlMs, number of fields, then field/amount pairs.
// One script for every key of a call: one round trip, and each HINCRBY is atomic on its own.
const ADD_COUNTERS = `
local a = 1
for i = 1, #KEYS do
  local ttl, n = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  for j = 1, n do
    redis.call('HINCRBY', KEYS[i], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`

// KEYS: counter keys. Returns each key's HGETALL (a flat field, value list; empty when absent):
// one command however many keys, where a pipeline sends one per key.
const READ_COUNTERS = `
local all = {}
for i = 1, #KEYS do all[i] = redis.call('HGETALL', KEYS[i]) end
return all`

// KEYS: one key. Each store call is one of these scripts in a batch (below); alone, these three go
// as the plain commands they wrap.
const HGETALL = `return redis.call('HGETALL', KEYS[1])`
const GET = `return redis.call('GET', KEYS[1])`
// ARGV: value, ttlMs.
const SET_PX = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`

interface Script {
  source: string
  sha: string
  /** Its place in BATCH's list of scripts (from 1, as Lua counts). */
  index: number
}
const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
  index: 0,
})
const scripts = {
  hgetall: script(HGETALL),
  get: script(GET),
  setPx: script(SET_PX),
  createPin: script(CREATE_PIN),
  consumeAttempt: script(CONSUME_ATTEMPT),
  markVerified: script(MARK_VERIFIED),
  updatePin: script(UPDATE_PIN),
  hit: script(HIT),
  hitAll: script(HIT_ALL),
  limitedAttempt: script(LIMITED_ATTEMPT),
  putListEntry: script(PUT_LIST_ENTRY),
  getListEntries: script(GET_LIST_ENTRIES),
  listEntries: script(LIST_ENTRIES),
  deleteListEntry: script(DELETE_LIST_ENTRY),
  addCounters: script(ADD_COUNTERS),
  readCounters: script(READ_COUNTERS),
}

// The store calls made in one turn of the event loop, as one script: each script above becomes a
// function of its own KEYS and ARGV, run in order, each under pcall so that one call's error (a
// damaged record, say) fails that call alone. KEYS: every call's keys in order. ARGV: the number of
// calls, then per call its script's index, key count and argument count, then every call's
// arguments in order. Returns per call {1, its answer} or {0, its error}.
const batched = Object.values(scripts)
batched.forEach((each, i) => (each.index = i + 1))
const BATCH = `
local scripts = {
${batched.map((each) => `function(KEYS, ARGV)\n${each.source}\nend`).join(',\n')}
}
local n = tonumber(ARGV[1])
local k, a = 0, 1 + 3 * n
local answers = {}
for i = 1, n do
  local h = 3 * i - 1
  local keyCount, argCount = tonumber(ARGV[h + 1]), tonumber(ARGV[h + 2])
  local keys, args = {}, {}
  for j = 1, keyCount do keys[j] = KEYS[k + j] end
  for j = 1, argCount do args[j] = ARGV[a + j] end
  k, a = k + keyCount, a + argCount
  local ok, answer = pcall(scripts[tonumber(ARGV[h])], keys, args)
  if ok then
    answers[i] = {1, answer}
  else
    answers[i] = {0, type(answer) == 'table' and answer.err or tostring(answer)}
  end
end
return answers`
const batchScript = script(BATCH)
/** The most store calls one batch carries: a batch runs in Redis as one script, holding it that long. */
const MAX_BATCH = 64

function pinToFields(record: PinRecord): string[] {
  const fields = [
    'pinId',
    record.pinId,
    'phoneNumber',
    record.phoneNumber,
    'pinMac',
    record.pinMac,
    'testNumber',
    record.testNumber ? '1' : '0',
    'createdAt',
    String(record.createdAt),
    'expiresAt',
    String(record.expiresAt),
    'retainUntil',
    String(record.retainUntil),
    'attemptsRemaining',
    String(record.attemptsRemaining),
    'lifecycle',
    record.lifecycle,
    'deliveryStatus',
    record.deliveryStatus,
    'messageIds',
    JSON.stringify(record.messageIds),
    'resendAvailableAt',
    String(record.resendAvailableAt),
  ]
  if (record.verifiedAt !== undefined) fields.push('verifiedAt', String(record.verifiedAt))
  if (record.language !== undefined) fields.push('language', record.language)
  if (record.network !== undefined) fields.push('network', record.network)
  if (record.countedIn !== undefined) fields.push('countedIn', JSON.stringify(record.countedIn))
  if (record.provider !== undefined) fields.push('provider', record.provider)
  if (record.country !== undefined) fields.push('country', record.country)
  if (record.masked !== undefined) fields.push('masked', record.masked)
  return fields
}

/** HGETALL as a flat [field, value, …] list (what a Lua script returns) or as an object (ioredis). */
function pinFromHash(hash: string[] | Record<string, string>): PinRecord {
  const h: Record<string, string | undefined> = Array.isArray(hash) ? {} : hash
  if (Array.isArray(hash)) for (let i = 0; i + 1 < hash.length; i += 2) h[hash[i]!] = hash[i + 1]
  const record: PinRecord = {
    pinId: h.pinId!,
    phoneNumber: h.phoneNumber!,
    pinMac: h.pinMac!,
    testNumber: h.testNumber === '1',
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
    retainUntil: Number(h.retainUntil),
    attemptsRemaining: Number(h.attemptsRemaining),
    lifecycle: h.lifecycle as PinRecord['lifecycle'],
    deliveryStatus: h.deliveryStatus as PinRecord['deliveryStatus'],
    messageIds: JSON.parse(h.messageIds ?? '[]') as string[],
    resendAvailableAt: Number(h.resendAvailableAt),
  }
  if (h.verifiedAt !== undefined) record.verifiedAt = Number(h.verifiedAt)
  if (h.language !== undefined) record.language = h.language
  if (h.network !== undefined) record.network = h.network
  if (h.countedIn !== undefined) record.countedIn = JSON.parse(h.countedIn) as string[]
  if (h.provider !== undefined) record.provider = h.provider
  if (h.country !== undefined) record.country = h.country
  if (h.masked !== undefined) record.masked = h.masked
  return record
}

export function redisStore(options: RedisStoreOptions): TwoFactorStore {
  const { client, prefix = 'tfk:' } = options ?? {}
  if (!client || typeof client.evalsha !== 'function' || typeof client.hgetall !== 'function') {
    throw new TypeError(
      'redisStore: "client" must be an ioredis client, e.g. new Redis(process.env.REDIS_URL)',
    )
  }
  if (typeof prefix !== 'string') throw new TypeError('redisStore: "prefix" must be a string, e.g. "tfk:"')

  const pinKey = (pinId: string) => `${prefix}pin:${pinId}`
  const linkKey = (messageId: string) => `${prefix}msg:${messageId}`

  /** Every Redis or connection failure becomes a StoreError, which the flow answers with 503. */
  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof StoreError) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new StoreError(`redis store: ${operation} failed: ${reason}`, { cause: error })
    }
  }

  // EVALSHA, and EVAL when Redis does not know the script yet (first use, or after a restart): a
  // NOSCRIPT reply means the script did not run, so sending it in full cannot apply it twice.
  async function evaluate(which: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(which.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return await client.eval(which.source, keys.length, ...keys, ...args)
    }
  }

  // The store calls made in one turn of the event loop — one request's independent calls, and under
  // load many requests' — go to Redis as one command once the turn's I/O callbacks have run
  // (setImmediate): one EVALSHA of BATCH instead of one command each, so one write, one read and
  // one command's overhead on both sides, however many calls. A call alone goes as itself. Each
  // call keeps its own atomicity (a batch runs as one script: the calls in it, one after another,
  // with nothing in between) and its own answer or error.
  interface Call {
    script: Script
    keys: string[]
    args: (string | number)[]
    /** The plain command a call alone is sent as, for the scripts that only wrap one. */
    alone?: () => Promise<unknown>
    resolve: (answer: unknown) => void
    reject: (error: unknown) => void
  }
  let queued: Call[] = []

  function run(
    which: Script,
    keys: string[],
    args: (string | number)[],
    alone?: () => Promise<unknown>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: Call = { script: which, keys, args, resolve, reject }
      if (alone) call.alone = alone
      if (queued.push(call) === 1) setImmediate(flush)
    })
  }

  function flush(): void {
    const calls = queued
    queued = []
    for (let from = 0; from < calls.length; from += MAX_BATCH) send(calls.slice(from, from + MAX_BATCH))
  }

  function send(calls: Call[]): void {
    if (calls.length === 1) {
      const call = calls[0]!
      const answer = call.alone ? call.alone() : evaluate(call.script, call.keys, call.args)
      answer.then(call.resolve, call.reject)
      return
    }
    const keys: string[] = []
    const head: (string | number)[] = [calls.length]
    const args: (string | number)[] = []
    for (const call of calls) {
      head.push(call.script.index, call.keys.length, call.args.length)
      for (const key of call.keys) keys.push(key)
      for (const arg of call.args) args.push(arg)
    }
    evaluate(batchScript, keys, [...head, ...args]).then(
      (answers) => {
        ;(answers as Array<[number, unknown?]>).forEach(([ok, answer], i) => {
          if (ok === 1) calls[i]!.resolve(answer ?? null)
          else calls[i]!.reject(new Error(String(answer)))
        })
      },
      (error: unknown) => {
        for (const call of calls) call.reject(error)
      },
    )
  }

  const flag = (value: boolean) => (value ? '1' : '0')
  const listKey = (list: string) => `${prefix}list:${list}`
  const counterKey = (key: string) => `${prefix}cnt:${key}`
  /** A list entry as stored: '<expiresAt or empty>|<value>'. */
  const parseListEntry = (stored: string) => {
    const separator = stored.indexOf('|')
    const expiresAt = stored.slice(0, separator)
    return { expiresAt: expiresAt === '' ? null : Number(expiresAt), value: stored.slice(separator + 1) }
  }

  return {
    shared: true,
    createPin: (record) =>
      guarded('createPin', async () => {
        const ttlMs = Math.max(1, Math.ceil(record.retainUntil - record.createdAt))
        const keys = [pinKey(record.pinId), ...record.messageIds.map(linkKey)]
        const created = await run(scripts.createPin, keys, [ttlMs, record.pinId, ...pinToFields(record)])
        if (created !== 1) throw new StoreError(`pin ${record.pinId} exists already`)
      }),

    getPin: (pinId) =>
      guarded('getPin', async () => {
        const key = pinKey(pinId)
        const hash = (await run(scripts.hgetall, [key], [], () => client.hgetall(key))) as
          string[] | Record<string, string>
        return Object.keys(hash).length > 0 ? pinFromHash(hash) : null
      }),

    consumeAttempt: (pinId, now, { singleUse }) =>
      guarded('consumeAttempt', async (): Promise<ConsumeAttemptResult> => {
        const [outcome, hash] = (await run(
          scripts.consumeAttempt,
          [pinKey(pinId)],
          [now, flag(singleUse)],
        )) as [string, string[]?]
        if (outcome === 'OK') return { ok: true, record: pinFromHash(hash!) }
        return { ok: false, reason: outcome as Exclude<ConsumeAttemptResult, { ok: true }>['reason'] }
      }),

    limitedAttempt: (pinId, now, { singleUse, limit }) =>
      guarded('limitedAttempt', async (): Promise<LimitedAttemptResult> => {
        const window = [String(now + limit.windowMs), Math.max(1, Math.ceil(limit.windowMs)), 1, limit.limit]
        const args = [now, ...window, flag(singleUse), `${prefix}rl:${limit.testNumberKeyPrefix}`]
        const keys = [pinKey(pinId), `${prefix}rl:${limit.key}`]
        const [outcome, hash, count, resetAt] = (await run(scripts.limitedAttempt, keys, args)) as [
          string,
          string[],
          number,
          string,
        ]
        if (outcome === 'NOT_FOUND') return { found: false }
        const record = pinFromHash(hash)
        const hit = { allowed: outcome !== 'RATE_LIMITED', count, resetAt: Number(resetAt) }
        let attempt: ConsumeAttemptResult | undefined
        if (outcome === 'OK')
          attempt = { ok: true, record: { ...record, attemptsRemaining: record.attemptsRemaining - 1 } }
        else if (outcome !== 'RATE_LIMITED')
          attempt = { ok: false, reason: outcome as Exclude<ConsumeAttemptResult, { ok: true }>['reason'] }
        return { found: true, record, hit, attempt }
      }),

    markVerified: (pinId, now, { singleUse }) =>
      guarded('markVerified', async () => {
        return (await run(scripts.markVerified, [pinKey(pinId)], [now, flag(singleUse)])) === 1
      }),

    updatePin: (pinId, patch: PinPatch) =>
      guarded('updatePin', async () => {
        const fields: string[] = []
        for (const field of PATCHABLE_PIN_FIELDS) {
          if (patch[field] !== undefined) fields.push(field, String(patch[field]))
        }
        if (patch.lifecycle === 'LOCKED') fields.push('pinMac', '')
        const messageId = patch.addMessageId ? JSON.stringify(patch.addMessageId) : ''
        const link = linkKey(patch.addMessageId || '')
        const hash = await run(scripts.updatePin, [pinKey(pinId), link], [pinId, messageId, ...fields])
        return hash ? pinFromHash(hash as string[]) : null
      }),

    findPinIdByMessageId: (messageId) =>
      guarded('findPinIdByMessageId', async () => {
        const key = linkKey(messageId)
        return (await run(scripts.get, [key], [], () => client.get(key))) as string | null
      }),

    hit: (key, limit, windowMs, now, cost = 1) =>
      guarded('hit', async (): Promise<RateLimitHit> => {
        const windowTtl = Math.max(1, Math.ceil(windowMs))
        const args = [now, String(now + windowMs), windowTtl, cost, limit]
        const [allowed, count, resetAt] = (await run(scripts.hit, [`${prefix}rl:${key}`], args)) as [
          number,
          number,
          string,
        ]
        return { allowed: allowed === 1, count, resetAt: Number(resetAt) }
      }),

    hitAll: (hits, now) =>
      guarded('hitAll', async (): Promise<HitAllResult> => {
        if (hits.length === 0) return { allowed: true, hits: [] }
        const args: (string | number)[] = [now]
        for (const { windowMs, cost = 1, limit } of hits)
          args.push(String(now + windowMs), Math.max(1, Math.ceil(windowMs)), cost, limit)
        const keys = hits.map(({ key }) => `${prefix}rl:${key}`)
        const answer = (await run(scripts.hitAll, keys, args)) as Array<number | string>
        if (answer[0] === 0) {
          const [, refused, count, resetAt] = answer as [0, number, number, string]
          return { allowed: false, refused, hit: { allowed: false, count, resetAt: Number(resetAt) } }
        }
        const taken: RateLimitHit[] = []
        for (let i = 1; i < answer.length; i += 2)
          taken.push({ allowed: true, count: answer[i] as number, resetAt: Number(answer[i + 1]) })
        return { allowed: true, hits: taken }
      }),

    // One SET with PX: the value and its validity travel together, so there is nothing to race.
    setCached: (key, value, ttlMs, now) =>
      guarded('setCached', async () => {
        const ttl = Math.max(1, Math.ceil(ttlMs))
        const cacheKey = `${prefix}cache:${key}`
        const stored = `${now + ttlMs}|${value}`
        await run(scripts.setPx, [cacheKey], [stored, ttl], () => client.set(cacheKey, stored, 'PX', ttl))
      }),

    getCached: (key, now) =>
      guarded('getCached', async () => {
        const cacheKey = `${prefix}cache:${key}`
        const stored = (await run(scripts.get, [cacheKey], [], () => client.get(cacheKey))) as string | null
        if (stored === null) return null
        const separator = stored.indexOf('|')
        return Number(stored.slice(0, separator)) > now ? stored.slice(separator + 1) : null
      }),

    putListEntry: (list, id, value, expiresAt, now) =>
      guarded('putListEntry', async () => {
        const expired = flag(expiresAt !== null && expiresAt <= now)
        await run(scripts.putListEntry, [listKey(list)], [now, id, `${expiresAt ?? ''}|${value}`, expired])
      }),

    getListEntries: (list, ids, now) =>
      guarded('getListEntries', async () => {
        if (ids.length === 0) return []
        const found = (await run(scripts.getListEntries, [listKey(list)], [now, ...ids])) as (string | null)[]
        return found.map((stored) => (stored ? parseListEntry(stored).value : null))
      }),

    listEntries: (list, now) =>
      guarded('listEntries', async () => {
        const flat = (await run(scripts.listEntries, [listKey(list)], [now])) as string[]
        const entries: ListEntry[] = []
        for (let i = 0; i + 1 < flat.length; i += 2)
          entries.push({ id: flat[i]!, ...parseListEntry(flat[i + 1]!) })
        return entries
      }),

    deleteListEntry: (list, id, now) =>
      guarded('deleteListEntry', async () => {
        return (await run(scripts.deleteListEntry, [listKey(list)], [now, id])) === 1
      }),

    addCounters: async (updates) => {
      checkCounterUpdates('redisStore', updates)
      const keys: string[] = []
      const args: (string | number)[] = []
      for (const { key, fields, ttlMs } of updates) {
        let count = 0
        for (const _ in fields) count++
        if (count === 0) continue
        keys.push(counterKey(key))
        args.push(Math.max(1, Math.ceil(ttlMs)), count)
        for (const field in fields) args.push(field, fields[field]!)
      }
      if (keys.length === 0) return
      await guarded('addCounters', () => run(scripts.addCounters, keys, args))
    },

    // One script: one round trip and one command however many keys.
    readCounters: (keys) =>
      guarded('readCounters', async () => {
        if (keys.length === 0) return []
        const replies = (await run(scripts.readCounters, keys.map(counterKey), [])) as string[][]
        return replies.map((flat) => {
          const fields: Array<[string, number]> = []
          for (let i = 0; i + 1 < flat.length; i += 2) fields.push([flat[i]!, Number(flat[i + 1])])
          return Object.fromEntries(fields)
        })
      }),
  }
}
