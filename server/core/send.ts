/**
 * Sending a PIN, and sending it again: the free offline checks, the anti-fraud policies, the bot
 * check, the send quotas, the network lookup, the spend ceiling, a new PIN record, and the SMS
 * through the provider failover. Every refusal on the way gives back what it took, so a send that
 * didn't happen costs the user nothing.
 */
// max/es6, as everywhere in server/ (phone.ts says why).
import { parsePhoneNumberWithError } from 'libphonenumber-js/max/es6'
import { SendFailedError, sendWithFailover } from '../providers/failover.js'
import { ProviderError, type SendResult } from '../providers/types.js'
import type { CounterUpdate, PinPatch, PinRecord } from '../stores/types.js'
import { assertCaptchaSolved } from './captcha.js'
import {
  breakerCounts,
  checkDestination,
  checkNetwork,
  checkScopes,
  countryScope,
  networkScope,
  priceOf,
  reserveSpend,
  sendBlocked,
  rangeVelocity,
  type PolicySubject,
  type Release,
  sentStats,
  type ScopeCheck,
  type SentFacts,
} from './policy.js'
import { fromMicros } from './prices.js'
import { TwoFactorError } from './errors.js'
import { emitEvent, type PinSentEvent, type TwoFactorEvent } from './events.js'
import type { LookupCheck } from './lookup.js'
import { appendAutofillLines, pickLanguage, renderMessage } from './message.js'
import type { ResolvedOptions } from './options.js'
import {
  assertNumberTypeAllowed,
  describeE164,
  maskE164,
  normalizePhoneNumber,
  type NormalizedNumber,
} from './phone.js'
import { derivePin, generatePinId, pinMac } from './pin.js'
import { applyPinPatch, assertPinUsable, pinUnusable } from './pin-record.js'
import { sentToNumber, takeSendQuotas, type Caller } from './quotas.js'
import { countSegments, type SegmentCount } from './segments.js'
import type { Services } from './services.js'
import { addStats, tallyAdd, type Tally } from './stats.js'
import { recordVerification } from './verification-log.js'

export interface SendOutcome {
  record: PinRecord
  masked: string
  lookup: {
    valid: true
    country: string | null
    numberType: string | null
    ncStatus: string
    lineType?: string
  }
  sms: {
    /** `MESSAGE_STATUS_UNKNOWN`: the provider timed out after the request left; the SMS may be out. */
    status: 'MESSAGE_SENT' | 'MESSAGE_NOT_SENT' | 'MESSAGE_STATUS_UNKNOWN'
    provider: string | null
    messageId?: string
    reason?: string
    /** How the text is encoded and how many SMS segments it takes (each billed). */
    encoding?: SegmentCount['encoding']
    segments?: number
  }
}

/** E.164 of a configured test number in `input`, or undefined. Test numbers skip validity checks. */
function matchTestNumber(
  config: ResolvedOptions,
  input: string,
  country: string | undefined,
): string | undefined {
  if (config.testNumbers.size === 0) return undefined
  try {
    const e164 = parsePhoneNumberWithError(input, { defaultCountry: country as never }).number
    return config.testNumbers.has(e164) ? e164 : undefined
  } catch {
    return undefined
  }
}

/**
 * What became of one SMS: a provider accepted it, or one timed out after the request left, so it
 * may have gone out (and may be billed) all the same.
 */
type SmsOutcome =
  | { kind: 'sent'; result: SendResult }
  | { kind: 'unknown'; provider: string; reason: 'PROVIDER_TIMEOUT' | 'PROVIDER_ANSWER_UNREADABLE' }

/**
 * Sends one SMS through the failover chain. Throws SMS_NOT_SENT only when every provider answered
 * with a refusal: then nothing was sent. An unknown outcome is not a refusal — the caller keeps the
 * quotas (the SMS may be out and billed) and the PIN (its code may arrive).
 */
/** What one request's events and statistics are about. */
interface Trace {
  subject: PolicySubject & { tally: Tally }
  now: number
  /** The PIN the request is for, once there is one. */
  pinId: string | undefined
}

function emit(config: ResolvedOptions, event: TwoFactorEvent, logFields?: { err?: unknown }): void {
  emitEvent(config.policy.onEvent, config.logger, event, logFields)
}

const about = (trace: Trace) => ({
  at: trace.now,
  to: trace.subject.masked,
  country: trace.subject.country ?? null,
})

async function sendSms(
  config: ResolvedOptions,
  trace: Trace & { pinId: string },
  text: string,
  reference: string,
  validitySeconds: number,
): Promise<SmsOutcome> {
  const to = trace.subject.e164
  const { tally } = trace.subject
  const deliveryReportUrl = (provider: string) =>
    config.deliveryReportUrl ? `${config.deliveryReportUrl}/${provider}` : undefined
  const providers = config.providers.map((provider) => ({
    name: provider.name,
    send: (message: Parameters<typeof provider.send>[0], options?: Parameters<typeof provider.send>[1]) => {
      const url = deliveryReportUrl(provider.name)
      return provider.send(url ? { ...message, deliveryReportUrl: url } : message, options)
    },
  }))
  try {
    const { result } = await sendWithFailover(
      providers,
      {
        to,
        text,
        reference,
        validitySeconds: Math.floor(validitySeconds),
        ...(config.senderId ? { from: config.senderId } : {}),
      },
      {
        timeoutMs: config.providerTimeoutMs,
        retriesPerProvider: config.providerRetries,
        onAttempt: (attempt) => {
          const provider = `provider:${attempt.provider}`
          if (attempt.outcome === 'sent') {
            tallyAdd(tally, {
              [`latency_ms|${provider}`]: attempt.elapsedMs,
              [`latency_count|${provider}`]: 1,
            })
            return
          }
          tallyAdd(tally, { [`sms_failed|${provider}`]: 1 })
          if (
            attempt.next === undefined ||
            attempt.next === attempt.provider ||
            attempt.outcome === 'unknown'
          )
            return
          tallyAdd(tally, { [`failover|${provider}`]: 1 })
          emit(config, {
            type: 'sms.failover',
            ...about(trace),
            pinId: trace.pinId,
            provider: attempt.provider,
            outcome: attempt.outcome,
            code: attempt.code ?? null,
            next: attempt.next,
          })
        },
      },
    )
    return { kind: 'sent', result }
  } catch (error) {
    if (error instanceof SendFailedError && error.outcomeUnknown) {
      config.logger.warn(
        { err: error, pinId: trace.pinId, to: trace.subject.masked },
        'SMS outcome unknown, counted as sent',
      )
      const { provider, outcome } = error.unknownOutcome!
      return {
        kind: 'unknown',
        provider,
        reason: outcome === 'timeout' ? 'PROVIDER_TIMEOUT' : 'PROVIDER_ANSWER_UNREADABLE',
      }
    }
    const failure = error as ProviderError
    emit(
      config,
      {
        type: 'sms.failed',
        ...about(trace),
        pinId: trace.pinId,
        provider: failure.provider,
        kind: failure.kind === 'permanent' ? 'permanent' : 'transient',
        attempts:
          error instanceof SendFailedError
            ? error.attempts.map((a) => `${a.provider}: ${a.outcome}${a.code ? ` ${a.code}` : ''}`)
            : [],
      },
      { err: error },
    )
    const permanent = error instanceof ProviderError && error.kind === 'permanent'
    throw new TwoFactorError(
      'SMS_NOT_SENT',
      permanent
        ? 'A text message cannot be delivered to this number. Check it, or use another one.'
        : 'The verification code could not be sent. Please try again later.',
      { retryable: !permanent },
      { cause: error },
    )
  }
}

function messageFor(config: ResolvedOptions, pin: string, language: string): string {
  const text = renderMessage(language, config.messageTexts, {
    ...config.placeholders,
    appName: config.appName,
    minutes: String(Math.round(config.pinTtlMs / 60_000)),
    pin,
  })
  return appendAutofillLines(text, pin, config)
}

/**
 * Runs one step of a send; when it throws, gives back what the steps before it took (a give-back
 * that fails too is ignored: the step's own error is the answer) and throws on.
 */
async function orGiveBack<T>(step: () => Promise<T>, ...giveBacks: Release[]): Promise<T> {
  try {
    return await step()
  } catch (error) {
    await Promise.allSettled(giveBacks.map((giveBack) => giveBack()))
    throw error
  }
}

/** The budget one SMS takes before it is paid for, and how to give it back. */
interface SendBudget {
  scopes: ScopeCheck
  network: LookupCheck | undefined
  resendAvailableAt: number
  /** Gives back everything: no SMS went out. */
  release(): Promise<void>
}

/**
 * What every SMS passes before anything is paid (a send's and a resend's alike): the policies'
 * blocks and breaker, the captcha (a first send's, or any under an escalation), the quotas and
 * range velocity, the network lookup and the network's own breaker. A refusal gives back what was
 * taken: all of it, except after a lookup refused the number — the shared budgets stay spent then,
 * or one caller could buy unlimited lookups, one number each.
 */
async function takeSendBudget(
  config: ResolvedOptions,
  services: Services,
  trace: Trace,
  caller: Caller,
  captcha: { token: string | undefined } | undefined,
): Promise<SendBudget> {
  const { subject, now } = trace
  const { tally } = subject
  // A read, made alongside the scope checks' reads: one round trip less. Awaited (and its failure
  // answered) only once the quotas are taken, after the checks and the captcha.
  const sentBefore = sentToNumber(config, subject.e164, now)
  sentBefore.catch(() => undefined)
  const scopes = await checkScopes(config, subject, now)
  // After the free checks (no call for a number we'd refuse anyway) and before the quotas: a script
  // without a solved challenge must not use up a victim's send budget.
  if (captcha && config.captcha && (config.captchaMode === 'always' || scopes.captchaFor)) {
    try {
      await assertCaptchaSolved(config.captcha, captcha.token, caller.ip, scopes.captchaFor, {
        events: { onEvent: config.policy.onEvent, logger: config.logger },
        ...about(trace),
      })
    } catch (error) {
      if (error instanceof TwoFactorError && error.code !== 'CAPTCHA_UNAVAILABLE')
        tallyAdd(tally, { captcha_failed: 1 })
      throw error
    }
  } else if (scopes.captchaFor && !config.captcha) {
    // Put under a captcha by an instance that had one: without it here, the scope stays closed.
    throw sendBlocked(scopes.captchaFor.reason, scopes.captchaFor.scope)
  }
  const velocity = rangeVelocity(config, subject, now, scopes)
  let quota: Awaited<ReturnType<typeof takeSendQuotas>>
  try {
    quota = await takeSendQuotas(config, subject.e164, caller, now, await sentBefore, velocity.hits)
  } catch (error) {
    if (error instanceof TwoFactorError && error.code === 'RATE_LIMITED') {
      const { limit, retryAfter } = error.details as { limit: string; retryAfter: number }
      tallyAdd(tally, { [`rate_limited|${limit}`]: 1 })
      emit(config, {
        type: 'send.rate_limited',
        ...about(trace),
        pinId: trace.pinId ?? null,
        limit,
        retryAfter,
      })
    }
    throw error
  }
  // The quotas and the range velocity were one step: a refused range left nothing taken.
  if (!quota.also.allowed) await velocity.refused(quota.also.refused)
  const velocityHits = quota.also.allowed ? quota.also.hits : []
  const releaseVelocity = await orGiveBack(() => velocity.taken(velocityHits), quota.release)
  const release = async () => {
    await Promise.all([quota.release(), releaseVelocity()])
  }
  // The lookup comes after the quotas (so it can't be used to pump paid lookups) and before any PIN.
  // A lookup that failed gives everything back: the provider failed, not the caller.
  let network: LookupCheck | undefined
  try {
    network = await services.lookupGate.check(subject.e164, now, subject.country ?? null)
  } catch (error) {
    const refused =
      error instanceof TwoFactorError &&
      (error.code === 'NUMBER_NOT_REACHABLE' || error.code === 'NUMBER_TYPE_NOT_ALLOWED')
    if (refused) tallyAdd(tally, { lookup_refused: 1 })
    await (refused ? quota.releaseNumber() : release()).catch(() => undefined)
    throw error
  }
  await orGiveBack(() => checkNetwork(config, subject, now, scopes, network.network), quota.releaseNumber)
  return { scopes, network, resendAvailableAt: quota.resendAvailableAt, release }
}

/** A test number's PIN: fixed, no SMS, no quota, no policy and no spend (nor statistics). */
async function sendToTestNumber(
  config: ResolvedOptions,
  services: Services,
  e164: string,
  language: string,
  now: number,
): Promise<SendOutcome> {
  const pinId = generatePinId()
  const pin = config.testNumbers.get(e164)!
  const record: PinRecord = {
    ...newRecord(config, pinId, e164, now, language),
    pinMac: await pinMac(services.mac, pinId, pin),
    testNumber: true,
    deliveryStatus: 'DELIVERED',
  }
  await config.store.createPin(record)
  const { masked, country } = describeE164(e164)
  emit(config, {
    type: 'pin.sent',
    at: now,
    to: masked,
    country,
    pinId,
    provider: null,
    status: 'MESSAGE_NOT_SENT',
    cost: 0,
    segments: 0,
    testNumber: true,
  })
  await recordVerification(config, record, country, now)
  return {
    record,
    masked,
    lookup: { valid: true, country: null, numberType: null, ncStatus: 'NC_NOT_CONFIGURED' },
    sms: { status: 'MESSAGE_NOT_SENT', provider: null, reason: 'TEST_NUMBER' },
  }
}

/** What a send or resend that went out leaves for the end of the request. */
interface Sent {
  outcome: SendOutcome
  /** The breaker counters the send counts under, written with the statistics. */
  breaker: CounterUpdate[]
  /**
   * The writes that end the send, under way, awaited with the statistics: the verification index's
   * (it never rejects) and, for a first send, the record's patch.
   */
  written: Promise<unknown>
}

/**
 * Runs `send` with the request's statistics: every send or resend that reached the policies counts
 * as `requested`, and whatever it met on the way is added, in one write at the end, together with
 * the verification index (written by `send` before it returns, or here after a refusal).
 */
async function withStatistics(
  config: ResolvedOptions,
  trace: Trace,
  send: () => Promise<Sent>,
): Promise<SendOutcome> {
  const { tally } = trace.subject
  tallyAdd(tally, {
    requested: 1,
    [`requested|${countryScope(trace.subject.country, trace.subject.e164)}`]: 1,
  })
  let sent: Sent | undefined
  try {
    sent = await send()
    return sent.outcome
  } finally {
    // The index and the statistics are independent writes: one round trip's wait for both.
    await Promise.all([addStats(config, trace.now, tally, sent?.breaker), sent?.written])
  }
}

function sentEvent(
  type: PinSentEvent['type'],
  trace: Trace,
  pinId: string,
  sms: SmsOutcome,
  charge: Charge,
): PinSentEvent {
  return {
    type,
    ...about(trace),
    pinId,
    provider: sms.kind === 'sent' ? sms.result.provider : sms.provider,
    status: sms.kind === 'sent' ? 'MESSAGE_SENT' : 'MESSAGE_STATUS_UNKNOWN',
    cost: fromMicros(charge.cost),
    segments: charge.segments,
    testNumber: false,
  }
}

export async function sendPin(
  config: ResolvedOptions,
  services: Services,
  request: { phoneNumber: string; country?: string; language?: string; captchaToken?: string },
  caller: Caller,
): Promise<SendOutcome> {
  const now = config.clock()
  const language = pickLanguage(request.language, config.messageTexts, config.language)
  const testE164 = matchTestNumber(config, request.phoneNumber, request.country)
  if (testE164) return sendToTestNumber(config, services, testE164, language, now)

  const number = normalizePhoneNumber(request.phoneNumber, request.country)
  const subject = { e164: number.e164, country: number.country, masked: number.masked, tally: {} }
  const trace: Trace = { subject, now, pinId: undefined }
  return withStatistics(config, trace, async () => {
    await checkDestination(config, subject, now)
    assertNumberTypeAllowed(number, config.allowedNumberTypes)
    const budget = await takeSendBudget(config, services, trace, caller, { token: request.captchaToken })

    const pinId = generatePinId()
    const pin = await derivePin(services.derivation, pinId, config.pinType, config.pinLength)
    const text = messageFor(config, pin, language)
    const charge = await orGiveBack(() => chargeFor(config, subject, text, now), budget.release)
    const network = budget.network?.network && networkScope(budget.network.network)
    const record: PinRecord = {
      ...newRecord(config, pinId, number.e164, now, language),
      pinMac: await pinMac(services.mac, pinId, pin),
      resendAvailableAt: budget.resendAvailableAt,
      countedIn: budget.scopes.counterKeys,
      ...(network ? { network } : {}),
      // For the verification's events and statistics, which then need not parse the number again.
      ...(number.country ? { country: number.country } : {}),
      masked: number.masked,
    }
    await orGiveBack(() => config.store.createPin(record), budget.release, charge.release)
    const lookup = {
      valid: true as const,
      country: number.country ?? null,
      numberType: number.numberType ?? null,
      ncStatus: budget.network?.ncStatus ?? 'NC_NOT_CONFIGURED',
      ...(budget.network?.lineType ? { lineType: budget.network.lineType } : {}),
    }

    let sms: SmsOutcome
    try {
      sms = await sendSms(config, { ...trace, pinId }, text, `${pinId}-1`, config.pinTtlMs / 1000)
    } catch (error) {
      // No SMS went out: the PIN must not be verifiable and the user keeps their budget.
      const [failed] = await Promise.allSettled([
        config.store.updatePin(pinId, { lifecycle: 'LOCKED', deliveryStatus: 'FAILED' }),
        budget.release(),
        charge.release(),
      ])
      if (failed.status === 'fulfilled' && failed.value)
        await recordVerification(config, failed.value, subject.country ?? null, now)
      throw error
    }
    tallyAdd(subject.tally, sentStats(subject, sentFacts(sms, charge, network)))
    // Unknown: the record stays PENDING and verifiable, the quotas and the spend stay taken.
    const patch: PinPatch =
      sms.kind === 'sent'
        ? {
            addMessageId: sms.result.messageId,
            deliveryStatus: sms.result.status,
            provider: sms.result.provider,
          }
        : { provider: sms.provider }
    // The record as the patch leaves it, worked out here rather than awaited: nothing else can have
    // changed it, since no one else knows the pinId yet and no delivery report can find it before
    // the patch writes its message link. So the patch, the index and the statistics go out together.
    const updated: PinRecord = { ...record, messageIds: [...record.messageIds] }
    applyPinPatch(updated, patch)
    const patched = config.store.updatePin(pinId, patch)
    emit(config, sentEvent('pin.sent', trace, pinId, sms, charge))
    return {
      outcome: { record: updated, masked: number.masked, lookup, sms: smsAnswer(sms, charge) },
      breaker: breakerCounts(config, budget.scopes.counterKeys, 'sent'),
      written: Promise.all([patched, recordVerification(config, updated, subject.country ?? null, now)]),
    }
  })
}

function smsAnswer(sms: SmsOutcome, { encoding, segments }: Charge): SendOutcome['sms'] {
  if (sms.kind === 'unknown') {
    return {
      status: 'MESSAGE_STATUS_UNKNOWN',
      provider: sms.provider,
      reason: sms.reason,
      encoding,
      segments,
    }
  }
  const { provider, messageId } = sms.result
  return { status: 'MESSAGE_SENT', provider, messageId, encoding, segments }
}

export async function resendPin(
  config: ResolvedOptions,
  services: Services,
  pinId: string,
  caller: Caller,
): Promise<SendOutcome> {
  const now = config.clock()
  const record = await config.store.getPin(pinId)
  assertPinUsable(record, now, !config.allowMultiplePinVerifications)
  let offline: NormalizedNumber | undefined
  try {
    offline = normalizePhoneNumber(record.phoneNumber)
  } catch {
    // A test number need not be a valid one.
  }
  const masked = offline?.masked ?? maskE164(record.phoneNumber)
  const lookup: SendOutcome['lookup'] = {
    valid: true,
    country: offline?.country ?? null,
    numberType: offline?.numberType ?? null,
    ncStatus: 'NC_NOT_CONFIGURED',
  }
  if (record.testNumber) {
    return {
      record,
      masked,
      lookup,
      sms: { status: 'MESSAGE_NOT_SENT', provider: null, reason: 'TEST_NUMBER' },
    }
  }
  // A resend is one more paid SMS: the same policies, quotas and spend as a first send, but never
  // the attempt budget. It asks for no captcha (its first send passed one, where one was asked).
  const subject = { e164: record.phoneNumber, country: offline?.country, masked, tally: {} }
  const trace: Trace = { subject, now, pinId }
  return withStatistics(config, trace, async () => {
    await checkDestination(config, subject, now)
    const budget = await takeSendBudget(config, services, trace, caller, undefined)
    if (budget.network) {
      lookup.ncStatus = budget.network.ncStatus
      if (budget.network.lineType) lookup.lineType = budget.network.lineType
    }
    const pin = await derivePin(services.derivation, pinId, config.pinType, config.pinLength)
    const text = messageFor(config, pin, record.language ?? config.language)
    const charge = await orGiveBack(() => chargeFor(config, subject, text, now), budget.release)
    const reference = `${pinId}-${record.messageIds.length + 1}`
    const sms = await orGiveBack(
      () =>
        sendSms(config, { ...trace, pinId }, text, reference, Math.max(1, (record.expiresAt - now) / 1000)),
      budget.release,
      charge.release,
    )
    const network = budget.network?.network && networkScope(budget.network.network)
    tallyAdd(subject.tally, sentStats(subject, sentFacts(sms, charge, network)))
    const updated = await config.store.updatePin(pinId, {
      // Once one SMS of this PIN was delivered the user has the code: a resend doesn't undo that.
      ...(sms.kind === 'sent'
        ? {
            addMessageId: sms.result.messageId,
            ...(record.deliveryStatus === 'DELIVERED' ? {} : { deliveryStatus: sms.result.status }),
            provider: sms.result.provider,
          }
        : { provider: sms.provider }),
      resendAvailableAt: budget.resendAvailableAt,
    })
    if (!updated) throw pinUnusable('NOT_FOUND')
    emit(config, sentEvent('pin.resent', trace, pinId, sms, charge))
    return {
      outcome: { record: updated, masked, lookup, sms: smsAnswer(sms, charge) },
      breaker: breakerCounts(config, budget.scopes.counterKeys, 'sent'),
      written: recordVerification(config, updated, subject.country ?? null, now),
    }
  })
}

/** The spend reserved for one SMS, and how to give it back. */
interface Charge {
  cost: number
  segments: number
  /** How the text is encoded: for the answer, counted once with the segments. */
  encoding: SegmentCount['encoding']
  release: Release
}

/** Reserves the SMS's estimated price (segments × the country's price) against the ceilings. */
async function chargeFor(
  config: ResolvedOptions,
  subject: PolicySubject,
  text: string,
  now: number,
): Promise<Charge> {
  const { segments, encoding } = countSegments(text)
  const cost = priceOf(config.policy, subject.country, segments)
  return { cost, segments, encoding, release: await reserveSpend(config, subject, now, cost) }
}

function sentFacts(sms: SmsOutcome, charge: Charge, network: string | undefined): SentFacts {
  return {
    provider: sms.kind === 'sent' ? sms.result.provider : sms.provider,
    segments: charge.segments,
    cost: charge.cost,
    network,
  }
}

/** A new record's common fields; the caller adds the MAC and what it knows. */
function newRecord(
  config: ResolvedOptions,
  pinId: string,
  e164: string,
  now: number,
  language: string,
): Omit<PinRecord, 'pinMac'> {
  return {
    pinId,
    phoneNumber: e164,
    testNumber: false,
    createdAt: now,
    expiresAt: now + config.pinTtlMs,
    // Kept past expiry for as long again, so a late verify hears "expired", not "unknown".
    retainUntil: now + 2 * config.pinTtlMs,
    attemptsRemaining: config.pinAttempts,
    lifecycle: 'ACTIVE',
    deliveryStatus: 'PENDING',
    messageIds: [],
    resendAvailableAt: now,
    language,
  }
}
