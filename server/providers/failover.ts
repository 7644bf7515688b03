/**
 * Ordered SMS failover: try each provider in turn, retry transient failures a bounded number of
 * times, stop at once on a failure about the recipient. Every provider call has its own time budget,
 * enforced here (not trusted to the adapter) with timers and AbortController, so it runs on Workers too.
 */
import { ProviderError } from './types.js'
import type { SendResult, SmsMessage, SmsProvider } from './types.js'

/** `details.providerCode` of the ProviderError raised when a call runs out of time. */
export const TIMEOUT_CODE = 'TIMEOUT'

/**
 * A permanent failure of one provider's account or set-up (bad credentials, no credit, sender id not
 * allowed, a request this provider refuses): retrying it won't help, but another provider may well
 * succeed, so failover continues. Permanent failures about the recipient (unknown subscriber, invalid
 * number, opted out) are plain `ProviderError`s of kind 'permanent' and stop the failover.
 */
export class ProviderAccountError extends ProviderError {
  constructor(
    provider: string,
    message: string,
    details: { providerCode?: string; httpStatus?: number } = {},
    options?: { cause?: unknown },
  ) {
    super('permanent', provider, message, details, options)
  }
}

/**
 * `timeout`: no answer in time, though the request may have left; `unknown`: a 2xx answer that can't
 * be read — the provider took the message, but we don't know its id. After either, the SMS may be out.
 */
export type AttemptOutcome = 'sent' | 'permanent' | 'transient' | 'timeout' | 'unknown'

export interface SendAttempt {
  provider: string
  outcome: AttemptOutcome
  /** The provider's own error code (or TIMEOUT, NETWORK_ERROR, MALFORMED_RESPONSE). */
  code?: string
}

/**
 * Nobody accepted the message. `kind` is 'permanent' when a provider said the recipient can't be
 * reached (don't retry anywhere), 'transient' otherwise (every provider was down, slow or misconfigured).
 */
export class SendFailedError extends ProviderError {
  constructor(
    kind: 'permanent' | 'transient',
    readonly attempts: SendAttempt[],
    last: ProviderError,
  ) {
    super(kind, last.provider, `No SMS provider accepted the message (${describe(attempts)})`, last.details, {
      cause: last,
    })
  }

  /**
   * The attempt after which an SMS may have gone out all the same — the last provider that timed
   * out after the request left, or that took the message with an answer we couldn't read — or
   * undefined when every provider refused: then nothing was sent.
   */
  get unknownOutcome(): SendAttempt | undefined {
    return this.attempts.findLast((attempt) => attempt.outcome === 'timeout' || attempt.outcome === 'unknown')
  }

  get outcomeUnknown(): boolean {
    return this.unknownOutcome !== undefined
  }
}

export interface FailoverOptions {
  /**
   * Time budget of one provider call, in ms.
   * @default 10000
   */
  timeoutMs?: number
  /**
   * Extra attempts on the same provider after a transient failure, before moving on.
   * @default 1
   */
  retriesPerProvider?: number
  /**
   * Wait before the first retry on the same provider, in ms; doubled for each further retry.
   * @default 250
   */
  retryDelayMs?: number
  /**
   * Told of every provider call as it ends, for events and statistics: how it went, how long it
   * took (whole ms) and which provider is tried next (the same one for a retry; undefined when the
   * failover stops here). Whatever it throws is ignored: watching must not change the sending.
   */
  onAttempt?: (attempt: SendAttempt & { elapsedMs: number; next: string | undefined }) => void
}

export async function sendWithFailover(
  providers: SmsProvider[],
  message: SmsMessage,
  options: FailoverOptions = {},
): Promise<{ result: SendResult; attempts: SendAttempt[] }> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const retries = options.retriesPerProvider ?? 1
  const retryDelayMs = options.retryDelayMs ?? 250
  if (providers.length === 0) throw new TypeError('sendWithFailover: pass at least one SMS provider')
  assertNonNegativeInteger('timeoutMs', timeoutMs, 1)
  assertNonNegativeInteger('retriesPerProvider', retries, 0)
  assertNonNegativeInteger('retryDelayMs', retryDelayMs, 0)

  const attempts: SendAttempt[] = []
  const tell = (attempt: SendAttempt, startedAt: number, next: string | undefined) => {
    attempts.push(attempt)
    try {
      options.onAttempt?.({ ...attempt, elapsedMs: Math.round(performance.now() - startedAt), next })
    } catch {
      // See onAttempt.
    }
  }
  let lastFailure: ProviderError | undefined
  for (const [index, provider] of providers.entries()) {
    const nextProvider = providers[index + 1]?.name
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1))
      const startedAt = performance.now()
      try {
        const result = await callWithTimeout(provider.name, timeoutMs, (options) =>
          provider.send(message, options),
        )
        tell({ provider: provider.name, outcome: 'sent' }, startedAt, undefined)
        return { result, attempts }
      } catch (error) {
        const failure = asProviderError(provider.name, error)
        const outcome = outcomeOf(failure)
        const failed = { provider: provider.name, outcome, code: failure.details.providerCode }
        lastFailure = failure
        const stops =
          (outcome === 'permanent' && !(failure instanceof ProviderAccountError)) || outcome === 'unknown'
        const movesOn = outcome === 'permanent' || outcome === 'timeout' || attempt === retries
        tell(failed, startedAt, stops ? undefined : movesOn ? nextProvider : provider.name)
        if (outcome === 'permanent' && !(failure instanceof ProviderAccountError)) {
          throw new SendFailedError('permanent', attempts, failure)
        }
        if (outcome === 'permanent') break
        // The provider said yes and we can't read the rest: another request anywhere is a second SMS.
        if (outcome === 'unknown') throw new SendFailedError('transient', attempts, failure)
        // A request that timed out may still have produced an SMS: never send it there again (that
        // would bill a second SMS). The next provider is faster for the user than waiting; when there
        // is none, the outcome stays unknown (SendFailedError.outcomeUnknown).
        if (outcome === 'timeout') break
      }
    }
  }
  throw new SendFailedError('transient', attempts, lastFailure!)
}

/**
 * Runs one provider call within `timeoutMs`. The signal is aborted when time runs out, and the
 * returned promise rejects then even if the adapter ignores the signal.
 *
 * The AbortController is made on first read of `signal`: on Node 20 one costs ~15 µs (it is a
 * transferable object), a tenth of a whole send, and in-process providers (console) never read it.
 */
export async function callWithTimeout<T>(
  provider: string,
  timeoutMs: number,
  call: (options: { readonly signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  let controller: AbortController | undefined
  let timeout: ProviderError | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout = new ProviderError(
        'transient',
        provider,
        `${provider} did not answer within ${timeoutMs} ms`,
        {
          providerCode: TIMEOUT_CODE,
        },
      )
      controller?.abort(timeout)
      reject(timeout)
    }, timeoutMs)
  })
  const options = {
    get signal(): AbortSignal {
      controller ??= new AbortController()
      if (timeout) controller.abort(timeout)
      return controller.signal
    },
  }
  try {
    return await Promise.race([call(options), timedOut])
  } catch (error) {
    // An adapter that reacts to the abort throws its own error; report it as the timeout it is.
    if (timeout) throw timeout
    throw error
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

function outcomeOf(failure: ProviderError): AttemptOutcome {
  if (failure.details.providerCode === TIMEOUT_CODE) return 'timeout'
  const { httpStatus } = failure.details
  if (failure.details.providerCode === 'MALFORMED_RESPONSE' && httpStatus && httpStatus < 300)
    return 'unknown'
  return failure.kind === 'permanent' ? 'permanent' : 'transient'
}

// An adapter bug (a TypeError, say) must not take the whole chain down: the next provider may work.
function asProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) {
    if (error.kind === 'permanent' || error.kind === 'transient') return error
    return new ProviderError('transient', provider, error.message, error.details, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new ProviderError(
    'transient',
    provider,
    `${provider} failed unexpectedly: ${message}`,
    {
      providerCode: 'UNEXPECTED_ERROR',
    },
    { cause: error },
  )
}

function describe(attempts: SendAttempt[]): string {
  return attempts
    .map((attempt) => `${attempt.provider}: ${attempt.outcome}${attempt.code ? ` ${attempt.code}` : ''}`)
    .join(', ')
}

function assertNonNegativeInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`sendWithFailover: "${name}" must be an integer ≥ ${min}, got ${String(value)}`)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
