/**
 * The dashboard's entry, built into `dist/widget/admin/dashboard.js` and loaded only by the page at
 * `/admin/`: registers `<two-factor-dashboard>` and styles the document around it. The styles go
 * through a constructed stylesheet, which the page's CSP (no inline styles) allows.
 */
import { TwoFactorDashboard } from './dashboard.js'

export { TwoFactorDashboard }

declare global {
  interface HTMLElementTagNameMap {
    'two-factor-dashboard': TwoFactorDashboard
  }
}

if (!customElements.get('two-factor-dashboard'))
  customElements.define('two-factor-dashboard', TwoFactorDashboard)

if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
  const page = new CSSStyleSheet()
  page.replaceSync(':root{color-scheme:light dark}body{margin:0}')
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, page]
}
