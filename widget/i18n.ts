/**
 * The widget's words. English is built in and complete; the other languages are small chunks
 * loaded on demand (a page downloads only its own), may leave strings out (English fills them),
 * and a page overrides any string through the element's `strings` property.
 */
import { loadOnce } from './load-once.js'
import en from './locales/en.js'

/** Plural forms keyed by `Intl.PluralRules` categories; `other` is required. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }

export type Strings = { [K in keyof typeof en]: (typeof en)[K] extends string ? string : Plural }

type Translation = Partial<Strings>

const translations: Record<string, () => Promise<{ default: Translation }>> = {
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  fr: () => import('./locales/fr.js'),
  hr: () => import('./locales/hr.js'),
}

/** The languages the widget speaks without help. */
export const languages = ['en', ...Object.keys(translations)]

/** The first of `tags` (BCP 47) whose language is built in, else English. */
export function pickLanguage(tags: readonly (string | null | undefined)[]): string {
  for (const tag of tags) {
    const language = tag?.toLowerCase().split('-')[0]
    if (language && languages.includes(language)) return language
  }
  return 'en'
}

/** A language's strings (English: none needed); a failed load falls back to English, for good. */
export function loadTranslation(language: string): Promise<Translation> {
  return loadOnce(`language ${language}`, async () => {
    const loader = translations[language]
    return loader
      ? loader().then(
          (module) => module.default,
          () => ({}),
        )
      : {}
  })
}

export function resolveStrings(translation: Translation = {}, overrides: Translation = {}): Strings {
  return { ...en, ...translation, ...overrides }
}

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match))
}

/**
 * A wait in words, units always said, largest first: "45 sec", "2 min 5 sec", "23 hr 59 min"
 * (seconds left out above an hour). `long` ("2 minutes 5 seconds") is for the live region, where
 * a screen reader may spell out an abbreviation or drop it.
 */
export function formatWait(language: string, seconds: number, long?: boolean): string {
  const hours = Math.floor(seconds / 3600)
  const amounts: [number, string][] = hours
    ? [
        [hours, 'hour'],
        [Math.floor(seconds / 60) % 60, 'minute'],
      ]
    : [
        [Math.floor(seconds / 60), 'minute'],
        [seconds % 60, 'second'],
      ]
  return amounts
    .filter(([amount], index) => amount || (index && !seconds))
    .map(([amount, unit]) =>
      new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: long ? 'long' : 'short' }).format(
        amount,
      ),
    )
    .join(' ')
}
