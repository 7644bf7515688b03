/**
 * The country picker: a button (flag and calling code) that opens the list of allowed countries.
 * The list, its search and its keys are `country-list.ts`, a chunk of its own: most people keep the
 * country they were given, so that code is neither on the path to first paint nor downloaded
 * unless wanted. It starts loading when the button is hovered, touched or focused, which comes
 * before pressing it, so the list is usually there by the time it is asked for.
 */
import { html, nothing } from 'lit'
import { countryName, flag } from '../countries.js'
import { loadOnce } from '../load-once.js'
import type { CountryList } from './country-list.js'
import type { PhoneStep } from './phone-step.js'
import type { Verification, WidgetHost } from '../verification.js'

/** Once per page, however many widgets ask. */
const loadList = () => loadOnce('country list', () => import('./country-list.js'))

export class CountryPicker {
  open = false
  #list: CountryList | undefined

  readonly #verification: Verification

  constructor(
    readonly host: WidgetHost,
    readonly phone: PhoneStep,
    verification: Verification,
  ) {
    this.#verification = verification
  }

  /** The list, or undefined while its code can't be loaded (offline); the next call retries. */
  #load(): Promise<CountryList | undefined> {
    return loadList().then(
      // Handed over rather than imported there: the chunk must not share code with the entry.
      ({ CountryList }) => (this.#list ??= new CountryList(this, { html, nothing, countryName, flag })),
      () => undefined,
    )
  }

  /** Loads the list's code ahead of the first open (touch fires `pointerenter` too). */
  preload = (): void => void this.#load()

  async show(): Promise<void> {
    const list = await this.#load()
    // Without its code (offline) the list stays closed; pressing the button again retries.
    // Nor does it open over another step, should the number have been sent meanwhile.
    if (!list || this.#verification.step !== 'phone') return
    this.open = true
    await list.opened()
  }

  async hide(focus: '#phone' | '#country' | null): Promise<void> {
    if (!this.open) return
    this.open = false
    this.host.requestUpdate()
    await this.host.updateComplete
    if (focus) this.host.renderRoot.querySelector<HTMLElement>(focus)?.focus()
  }

  #onButtonKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      void this.show()
    }
  }

  renderButton() {
    const { host, phone } = this
    const t = host.t
    const country = phone.country
    const code = phone.tools?.callingCode(country)
    const single = this.#verification.config?.allowedCountries?.length === 1
    // The name comes from the content ("Country: Croatia +385"), so it contains what is visible.
    const content = html`<span class="visually-hidden"
        >${t.country}: ${countryName(country, host.language)}</span
      >
      ${flag(country)}
      <span class="dial" dir="ltr">${code ? `+${code}` : ''}</span>`
    // With a single allowed country there is nothing to pick: show it, don't offer a control.
    if (single) return html`<span class="country" part="country-button">${content}</span>`
    return html`<button
      id="country"
      type="button"
      class="country"
      part="country-button"
      aria-haspopup="listbox"
      aria-expanded=${this.open}
      @click=${() => (this.open ? this.hide('#country') : this.show())}
      @keydown=${this.#onButtonKeydown}
      @pointerenter=${this.preload}
      @focus=${this.preload}
    >
      ${content}<span aria-hidden="true">▾</span>
    </button>`
  }

  renderPopup() {
    // Open only once the list's code has loaded (show).
    return this.open ? this.#list!.render() : nothing
  }
}
