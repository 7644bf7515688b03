/**
 * `<two-factor-dashboard>`: the operator's console served at `/admin/` — sign in with the admin
 * token, then the funnel, countries, providers, spend, blocks, refusals, a number's verifications
 * and the allow-list for the last hour, day or week. This module only defines the class;
 * `index.ts` registers it.
 *
 * The token lives in sessionStorage (gone with the tab, never in a URL or a cookie) and goes to the
 * server only as `Authorization: Bearer`, same origin.
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit'
import { adminApi, AdminApiError, type AdminApi } from './admin-api.js'
import { styles } from './dashboard.styles.js'
import { clockTime, scopeText } from './format.js'
import { PERIODS, summaryView, type SummaryViewState } from './summary-view.js'
import type { AllowListEntry, Block, NumberHistory, Period, Summary } from './types.js'

export const TOKEN_KEY = 'two-factor-kit:admin-token'

type Phase = 'signed-out' | 'loading' | 'ready' | 'failed'

/**
 * @summary The two-factor-kit operator console.
 * @attr endpoint - The admin API's URL (with its trailing slash); the page's own folder by default.
 */
export class TwoFactorDashboard extends LitElement {
  static override styles = styles
  static override properties = {
    endpoint: { type: String },
    phase: { state: true },
    period: { state: true },
    summary: { state: true },
    allowEntries: { state: true },
    failure: { state: true },
    signInMessage: { state: true },
    notice: { state: true },
    busy: { state: true },
    confirming: { state: true },
    history: { state: true },
    lookupError: { state: true },
    allowError: { state: true },
    updatedAt: { state: true },
  }

  declare endpoint: string
  declare phase: Phase
  declare period: Period
  declare summary: Summary | undefined
  declare allowEntries: AllowListEntry[] | undefined
  declare failure: AdminApiError | undefined
  declare signInMessage: string | undefined
  declare notice: string
  declare busy: boolean
  declare confirming: Block | undefined
  declare history: NumberHistory | undefined
  declare lookupError: string | undefined
  declare allowError: string | undefined
  declare updatedAt: number | undefined

  #api: AdminApi | undefined

  constructor() {
    super()
    this.endpoint = './'
    this.phase = 'signed-out'
    this.period = 'day'
    this.notice = ''
    this.busy = false
  }

  override connectedCallback(): void {
    super.connectedCallback()
    const token = sessionStorage.getItem(TOKEN_KEY)
    if (token && !this.#api) this.#start(token)
  }

  #start(token: string): void {
    this.#api = adminApi(new URL(this.endpoint, document.baseURI), token)
    void this.refresh()
  }

  /** Reads the period's summary and the allow-list again. */
  async refresh(): Promise<void> {
    const api = this.#api
    if (!api) return
    if (!this.summary) this.phase = 'loading'
    this.busy = true
    try {
      const [summary, allowList] = await Promise.all([api.summary(this.period), api.allowList()])
      if (api !== this.#api) return
      const firstData = !this.summary
      this.summary = summary
      this.allowEntries = allowList.entries
      this.failure = undefined
      this.updatedAt = Date.now()
      this.phase = 'ready'
      if (firstData) {
        await this.updateComplete
        this.renderRoot.querySelector<HTMLElement>('h1')?.focus()
      }
    } catch (error) {
      if (api === this.#api) this.#fail(error)
    } finally {
      if (api === this.#api) this.busy = false
    }
  }

  #fail(error: unknown): void {
    const failure =
      error instanceof AdminApiError
        ? error
        : new AdminApiError('network', 'Something went wrong: ' + String(error))
    if (failure.kind === 'unauthorized') {
      this.signOut(
        this.summary
          ? 'The server no longer accepts this token (it may have been changed). Sign in again.'
          : 'The server refused this token. Check TWO_FACTOR_ADMIN_TOKEN and try again.',
      )
      return
    }
    this.failure = failure
    if (!this.summary) this.phase = 'failed'
  }

  signOut(message?: string): void {
    sessionStorage.removeItem(TOKEN_KEY)
    this.#api = undefined
    Object.assign(this, {
      summary: undefined,
      allowEntries: undefined,
      history: undefined,
      failure: undefined,
      confirming: undefined,
      busy: false,
      phase: 'signed-out',
      signInMessage: message,
      notice: message ? '' : 'Signed out.',
    })
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('#token')?.focus())
  }

  #signIn(event: SubmitEvent): void {
    event.preventDefault()
    const input = (event.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement
    const token = input.value.trim()
    if (!token) {
      this.signInMessage = 'Enter the admin token.'
      return
    }
    sessionStorage.setItem(TOKEN_KEY, token)
    this.signInMessage = undefined
    this.#start(token)
  }

  #choosePeriod(period: Period): void {
    if (period === this.period) return
    this.period = period
    void this.refresh()
  }

  #askToLift(block: Block): void {
    this.confirming = block
    void this.updateComplete.then(() => this.renderRoot.querySelector('dialog')?.showModal())
  }

  async #lift(): Promise<void> {
    const block = this.confirming
    if (!block || !this.#api) return
    this.renderRoot.querySelector('dialog')?.close()
    try {
      const { lifted } = await this.#api.liftBlock(block.scope)
      this.notice = lifted ? `Block on ${block.scope} lifted.` : `${block.scope} was no longer blocked.`
      await this.refresh()
    } catch (error) {
      this.#fail(error)
    }
  }

  async #lookUp(event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const input = (event.target as HTMLFormElement).elements.namedItem('lookup') as HTMLInputElement
    const number = input.value.replace(/[\s().-]/g, '')
    if (!number || !this.#api) return
    this.lookupError = undefined
    try {
      this.history = await this.#api.verifications(number)
    } catch (error) {
      this.history = undefined
      if (error instanceof AdminApiError && error.kind === 'refused') this.lookupError = error.message
      else this.#fail(error)
    }
  }

  async #changeAllowList(change: (api: AdminApi) => Promise<unknown>, done: string): Promise<boolean> {
    if (!this.#api) return false
    this.allowError = undefined
    try {
      await change(this.#api)
      this.notice = done
      this.allowEntries = (await this.#api.allowList()).entries
      return true
    } catch (error) {
      if (error instanceof AdminApiError && error.kind === 'refused') this.allowError = error.message
      else this.#fail(error)
      return false
    }
  }

  override render(): TemplateResult {
    return html`${this.phase === 'signed-out' ? this.#renderSignIn() : this.#renderConsole()}
      <p class="visually-hidden" role="status">${this.notice}</p>`
  }

  #renderSignIn(): TemplateResult {
    return html`<main>
      <section class="card signin" aria-labelledby="signin-title">
        <h1 id="signin-title">Operator console</h1>
        <p>Sign in with the admin token (<code>TWO_FACTOR_ADMIN_TOKEN</code>). It stays in this tab only.</p>
        ${this.signInMessage ? html`<div class="message" role="alert"><p>${this.signInMessage}</p></div>` : nothing}
        <form @submit=${this.#signIn}>
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required />
          <p class="row"><button type="submit">Sign in</button></p>
        </form>
      </section>
    </main>`
  }

  #renderConsole(): TemplateResult {
    const summary = this.summary
    return html`<header>
        <h1 tabindex="-1">Operator console</h1>
        <fieldset class="periods">
          <legend class="visually-hidden">Period</legend>
          ${PERIODS.map(
            ([period, label]) =>
              html`<label
                ><input
                  type="radio"
                  name="period"
                  .value=${period}
                  .checked=${this.period === period}
                  @change=${() => this.#choosePeriod(period)}
                />${label}</label
              >`,
          )}
        </fieldset>
        <div class="toolbar">
          <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.refresh()}>
            ${this.busy ? 'Loading…' : 'Refresh'}
          </button>
          <button type="button" class="secondary" @click=${() => this.signOut()}>Sign out</button>
        </div>
      </header>
      <main aria-busy=${this.busy ? 'true' : 'false'}>
        ${this.failure ? this.#renderFailure(this.failure) : nothing}
        ${summary ? summaryView(summary, this.#summaryHandlers()) : this.phase === 'loading' ? html`<p class="loading">Loading…</p>` : nothing}
      </main>
      ${this.#renderConfirm()}`
  }

  #renderFailure(failure: AdminApiError): TemplateResult {
    const title =
      failure.kind === 'network'
        ? 'The server could not be reached.'
        : failure.kind === 'unavailable'
          ? `The server is unavailable (${failure.status}${failure.code ? ` ${failure.code}` : ''}).`
          : `The server refused the request (${failure.status}).`
    return html`<div class="message ${this.summary ? 'warn' : ''}" role="alert">
      <p><strong>${title}</strong> ${failure.kind === 'network' ? '' : failure.message}</p>
      ${this.summary ? html`<p>The figures below are from ${clockTime(this.updatedAt!)}.</p>` : nothing}
      <p><button type="button" @click=${() => this.refresh()}>Retry</button></p>
    </div>`
  }

  #summaryHandlers(): SummaryViewState {
    return {
      updatedAt: this.updatedAt,
      history: this.history,
      lookupError: this.lookupError,
      allowEntries: this.allowEntries ?? [],
      allowError: this.allowError,
      onLift: (block) => this.#askToLift(block),
      onLookUp: (event) => this.#lookUp(event),
      onAllow: (entry, note) =>
        this.#changeAllowList((api) => api.allow(entry, note), `${entry} added to the allow-list.`),
      onDisallow: (entry) =>
        this.#changeAllowList((api) => api.disallow(entry), `${entry} removed from the allow-list.`),
    }
  }

  #renderConfirm(): TemplateResult {
    const block = this.confirming
    return html`<dialog aria-labelledby="confirm-title" @close=${() => (this.confirming = undefined)}>
      ${
        block
          ? html`<h2 id="confirm-title">Lift the block on ${block.scope}?</h2>
              <p>
                ${scopeText(block.scope)} can receive codes again at once, and its next block starts at level
                1.
              </p>
              <div class="toolbar">
                <button
                  type="button"
                  class="secondary"
                  autofocus
                  @click=${() => this.renderRoot.querySelector('dialog')?.close()}
                >
                  Cancel
                </button>
                <button type="button" class="danger" @click=${() => this.#lift()}>Lift block</button>
              </div>`
          : nothing
      }
    </dialog>`
  }
}
