// sendWithFailover tells onAttempt of every provider call, with what comes next: the core turns a
// move to another provider into `sms.failover`, and counts failures and latencies per provider.
import { describe, expect, it } from 'vitest'
import { sendWithFailover } from '../../server/providers/failover.js'
import { ProviderError, type SmsProvider } from '../../server/index.js'

const message = { to: '+385911234567', text: 'x', reference: 'r' }

function scripted(name: string, outcomes: Array<'ok' | 'transient' | 'permanent'>): SmsProvider {
  return {
    name,
    async send() {
      const outcome = outcomes.shift() ?? 'ok'
      if (outcome === 'ok') return { messageId: `${name}-1`, status: 'ACCEPTED', provider: name }
      throw new ProviderError(outcome, name, `${name} ${outcome}`, { providerCode: outcome.toUpperCase() })
    },
  }
}

describe('onAttempt', () => {
  it('a retry names the same provider next, a failover the next one, a success none', async () => {
    const seen: unknown[] = []
    await sendWithFailover([scripted('a', ['transient', 'transient']), scripted('b', ['ok'])], message, {
      retriesPerProvider: 1,
      retryDelayMs: 0,
      onAttempt: ({ provider, outcome, code, next, elapsedMs }) => {
        expect(Number.isInteger(elapsedMs) && elapsedMs >= 0).toBe(true)
        seen.push({ provider, outcome, code, next })
      },
    })
    expect(seen).toEqual([
      { provider: 'a', outcome: 'transient', code: 'TRANSIENT', next: 'a' },
      { provider: 'a', outcome: 'transient', code: 'TRANSIENT', next: 'b' },
      { provider: 'b', outcome: 'sent', code: undefined, next: undefined },
    ])
  })

  it('a failure about the recipient stops the failover: nothing next; a throwing onAttempt changes nothing', async () => {
    const seen: unknown[] = []
    await expect(
      sendWithFailover([scripted('a', ['permanent']), scripted('b', ['ok'])], message, {
        onAttempt: ({ provider, next }) => {
          seen.push({ provider, next })
          throw new Error('watcher broke')
        },
      }),
    ).rejects.toMatchObject({ kind: 'permanent' })
    expect(seen).toEqual([{ provider: 'a', next: undefined }])
  })
})
