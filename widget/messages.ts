/** What the widget says for a refusal, in the page's language. */
import { html, nothing } from 'lit'
import type { ApiError } from './api-client.js'
import { Countdown } from './countdown.js'
import { fill, formatWait, type EntryStrings } from './i18n.js'
import { loadOnce } from './load-once.js'
import type { Setbacks } from './setbacks.js'

/** A message that is worded when shown, so it follows a change of language. */
export type Message = (t: EntryStrings) => string

export function lengthMessage(problem: string): Message {
  return (t) => (problem === 'TOO_SHORT' ? t.tooShort : problem === 'TOO_LONG' ? t.tooLong : t.invalidNumber)
}

/**
 * The code for setbacks (refusals, rate-limit waits, dead ends): a chunk of its own, loaded on the
 * first one. `setbacks` holds it once loaded; a wait or a dead end is shown only after that.
 */
export let setbacks: Setbacks | undefined

export function loadSetbacks(): Promise<Setbacks> {
  return loadOnce('setbacks', () =>
    import('./setbacks.js').then(
      (module) => (setbacks = module.setbacks({ html, nothing, fill, formatWait, Countdown })),
    ),
  )
}

/**
 * A refusal in words (see `setbacks.ts`); when even its chunk can't load, the connection is what
 * failed. `pinLength` words PIN_FORMAT_INVALID.
 */
export function errorMessage(
  error: ApiError,
  host: { readonly language: string },
  pinLength = 0,
): Promise<Message> {
  if (error.code === 'PHONE_NUMBER_INVALID')
    return Promise.resolve(lengthMessage(String(error.details.reason)))
  return loadSetbacks().then(
    (setbacks) => setbacks.refusalMessage(error, host, pinLength),
    () => (t) => t.network,
  )
}
