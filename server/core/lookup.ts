/**
 * Number-lookup gating (steps 3–5 of the flow): ask the network whether a number can take an SMS
 * *before* a PIN exists, so unreachable, invalid or unwanted numbers cost neither a PIN nor a paid SMS.
 * Answers are cached in the store per number, so a user retrying doesn't make us pay twice.
 */
import { StoreError, TwoFactorError } from './errors.js'
import { emitTo, type EventSink } from './events.js'
import { maskE164 } from './phone.js'
import { callWithTimeout } from '../providers/failover.js'
import type { LineType, LookupResult, SmsProvider } from '../providers/types.js'
import type { TwoFactorStore } from '../stores/types.js'

/** Infobip 2FA's names for what the network lookup said. */
export type NcStatus =
  'NC_DESTINATION_REACHABLE' | 'NC_DESTINATION_NOT_REACHABLE' | 'NC_DESTINATION_UNKNOWN' | 'NC_NOT_CONFIGURED'

export interface LookupCheck {
  ncStatus: NcStatus
  lineType?: LineType
  /** Operator data, for logs and policy. Don't send it to the browser: it tells anyone who asks where a number roams. */
  network?: LookupResult['network']
  ported?: boolean
  roaming?: boolean
  /** Whether this answer came from the cache (no paid lookup). */
  cached: boolean
}

export interface LookupGateOptions {
  /** The provider whose `lookup` to use; null (or a provider without `lookup`) turns gating off. */
  provider: SmsProvider | null
  store: TwoFactorStore
  /**
   * How long an answer is reused, in ms. "Not reachable now" answers are kept at most 5 minutes,
   * so a user who switches the phone on can try again soon.
   * @default 86400000 (24 h)
   */
  cacheTtlMs?: number
  /**
   * What to do when the lookup itself fails (timeout, provider down): 'closed' refuses with
   * LOOKUP_FAILED (no SMS to an unchecked number), 'open' lets the send go ahead unchecked.
   * @default 'closed'
   */
  failurePolicy?: 'closed' | 'open'
  /**
   * Line types that may receive a PIN; null allows all. 'unknown' is in the default because some
   * lookups (Infobip's) can't tell a line type for every number.
   * @default ['mobile', 'fixed_or_mobile', 'unknown']
   */
  allowedLineTypes?: LineType[] | null
  /**
   * Time budget of one lookup call, in ms.
   * @default 5000
   */
  timeoutMs?: number
  /** Where `lookup.refused` and `lookup.failed` go. @default none */
  events?: EventSink
}

const ABSENT_CACHE_MS = 5 * 60_000

interface CachedAnswer {
  valid: boolean
  reachable?: boolean
  lineType: LineType
  network?: LookupResult['network']
  ported?: boolean
  roaming?: boolean
}

export interface LookupGate {
  /**
   * Resolves with what the network said, or throws the refusal (or LOOKUP_FAILED when closed).
   * `country` (ISO) is for the events only.
   */
  check(e164: string, now: number, country?: string | null): Promise<LookupCheck>
}

export function createLookupGate(options: LookupGateOptions): LookupGate {
  const provider = options.provider?.lookup ? options.provider : null
  const { store } = options
  const cacheTtlMs = options.cacheTtlMs ?? 86_400_000
  const failurePolicy = options.failurePolicy ?? 'closed'
  const allowedLineTypes =
    options.allowedLineTypes === undefined
      ? ['mobile', 'fixed_or_mobile', 'unknown']
      : options.allowedLineTypes
  const timeoutMs = options.timeoutMs ?? 5000
  if (!store) throw new TypeError('createLookupGate: "store" is required')
  if (!Number.isInteger(cacheTtlMs) || cacheTtlMs < 0) {
    throw new TypeError(`createLookupGate: "cacheTtlMs" must be a whole number of ms ≥ 0 (0 = no cache)`)
  }
  if (failurePolicy !== 'closed' && failurePolicy !== 'open') {
    throw new TypeError(`createLookupGate: "failurePolicy" must be 'closed' or 'open'`)
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(`createLookupGate: "timeoutMs" must be a whole number of ms ≥ 1`)
  }
  // Concurrent checks of one number share one paid lookup (within this process).
  const inFlight = new Map<string, Promise<CachedAnswer>>()

  async function lookUp(e164: string, now: number): Promise<{ answer: CachedAnswer; cached: boolean }> {
    const key = `lookup:${provider!.name}:${e164}`
    const hit = cacheTtlMs > 0 ? parseCached(await store.getCached(key, now)) : null
    if (hit) return { answer: hit, cached: true }
    let pending = inFlight.get(key)
    if (!pending) {
      pending = (async () => {
        const result = await callWithTimeout(provider!.name, timeoutMs, (options) =>
          provider!.lookup!(e164, options),
        )
        const answer: CachedAnswer = {
          valid: result.valid,
          reachable: result.reachable,
          lineType: result.lineType,
          network: result.network,
          ported: result.ported,
          roaming: result.roaming,
        }
        const ttl =
          answer.valid && answer.reachable === false ? Math.min(cacheTtlMs, ABSENT_CACHE_MS) : cacheTtlMs
        if (ttl > 0) await store.setCached(key, JSON.stringify(answer), ttl, now)
        return answer
      })().finally(() => inFlight.delete(key))
      inFlight.set(key, pending)
    }
    return { answer: await pending, cached: false }
  }

  async function check(e164: string, now: number, country: string | null = null): Promise<LookupCheck> {
    if (!provider) return { ncStatus: 'NC_NOT_CONFIGURED', cached: false }
    const about = { at: now, to: maskE164(e164), country, provider: provider.name }
    const refused = (reason: 'NUMBER_NOT_REACHABLE' | 'NUMBER_TYPE_NOT_ALLOWED', lineType: LineType) => {
      if (options.events)
        emitTo(options.events, { type: 'lookup.refused', ...about, reason, lineType: lineType ?? null })
    }
    let looked: { answer: CachedAnswer; cached: boolean }
    try {
      looked = await lookUp(e164, now)
    } catch (error) {
      // The store being down is the flow's problem (STORE_UNAVAILABLE), not the lookup's.
      if (error instanceof StoreError) throw error
      if (options.events)
        emitTo(options.events, { type: 'lookup.failed', ...about, policy: failurePolicy }, { err: error })
      if (failurePolicy === 'open') return { ncStatus: 'NC_DESTINATION_UNKNOWN', cached: false }
      throw new TwoFactorError(
        'LOOKUP_FAILED',
        'The phone number could not be checked right now. Please try again.',
        {},
        {
          cause: error,
        },
      )
    }
    const { answer, cached } = looked
    if (!answer.valid) {
      refused('NUMBER_NOT_REACHABLE', answer.lineType)
      throw new TwoFactorError(
        'NUMBER_NOT_REACHABLE',
        'This phone number does not exist on any mobile network.',
        {
          ncStatus: 'NC_DESTINATION_NOT_REACHABLE',
        },
      )
    }
    if (allowedLineTypes && !allowedLineTypes.includes(answer.lineType)) {
      refused('NUMBER_TYPE_NOT_ALLOWED', answer.lineType)
      throw new TwoFactorError(
        'NUMBER_TYPE_NOT_ALLOWED',
        'This kind of phone number cannot receive the code.',
        {
          numberType: answer.lineType,
          ncStatus: ncStatusOf(answer),
        },
      )
    }
    if (answer.reachable === false) {
      refused('NUMBER_NOT_REACHABLE', answer.lineType)
      throw new TwoFactorError('NUMBER_NOT_REACHABLE', 'This phone number cannot receive an SMS right now.', {
        ncStatus: 'NC_DESTINATION_NOT_REACHABLE',
      })
    }
    return {
      ncStatus: ncStatusOf(answer),
      lineType: answer.lineType,
      network: answer.network,
      ported: answer.ported,
      roaming: answer.roaming,
      cached,
    }
  }

  return { check }
}

function ncStatusOf(answer: CachedAnswer): NcStatus {
  if (!answer.valid || answer.reachable === false) return 'NC_DESTINATION_NOT_REACHABLE'
  return answer.reachable ? 'NC_DESTINATION_REACHABLE' : 'NC_DESTINATION_UNKNOWN'
}

// A cache entry we can't read (another version wrote it, say) is a miss, never an error.
function parseCached(value: string | null): CachedAnswer | null {
  if (!value) return null
  try {
    const parsed = JSON.parse(value) as CachedAnswer
    return typeof parsed?.valid === 'boolean' && typeof parsed.lineType === 'string' ? parsed : null
  } catch {
    return null
  }
}
