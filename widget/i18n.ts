/**
 * The widget's words. English is built in and complete; the other languages are small chunks
 * loaded on demand (a page downloads only its own), may leave strings out (English fills them),
 * and a page overrides any string through the element's `strings` property, or teaches the widget
 * a language of its own with `registerLanguage`.
 */
import { loadOnce } from './load-once.js'
import en from './locales/en.js'
import type setbackWords from './setback-words.js'

/** Plural forms keyed by `Intl.PluralRules` categories; `other` is required. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }

type English = typeof en & typeof setbackWords

/**
 * A wait's units in full, for the live region, where the words around `{time}` need another form
 * than `Intl.NumberFormat` gives (it says "1 sekunda"; Croatian "za" takes "1 sekundu"): plural
 * forms with `{n}`. A language gives only the units `Intl` gets wrong for it.
 */
export interface WaitWords {
  seconds?: Plural
  minutes?: Plural
  hours?: Plural
}

export type Strings = { [K in keyof English]: English[K] extends string ? string : Plural } & WaitWords

/**
 * The words the entry has at hand: English there lacks the setbacks' strings, which their chunk
 * holds and fills in (`setbacks.ts`).
 */
export type EntryStrings = Omit<Strings, keyof typeof setbackWords> & Partial<Strings>

type Translation = Partial<Strings>

const translations: Record<string, () => Promise<{ default: Translation }>> = {
  ar: () => import('./locales/ar.js'),
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  fr: () => import('./locales/fr.js'),
  he: () => import('./locales/he.js'),
  hr: () => import('./locales/hr.js'),
  it: () => import('./locales/it.js'),
  ja: () => import('./locales/ja.js'),
  nl: () => import('./locales/nl.js'),
  pl: () => import('./locales/pl.js'),
  pt: () => import('./locales/pt.js'),
  ru: () => import('./locales/ru.js'),
  tr: () => import('./locales/tr.js'),
  uk: () => import('./locales/uk.js'),
  zh: () => import('./locales/zh.js'),
}

/**
 * Teaches the widget a language, or replaces a bundled one, for every `<two-factor-auth>` that
 * loads it afterwards (call it before setting `lang`): `language` is the language part of a `lang`
 * tag (`he` serves `he-IL`). `strings` may leave keys out (English fills them); plurals are keyed by
 * the language's `Intl.PluralRules` categories (`{ one, two, other }` for Hebrew); country names,
 * units and the plural choice come from `Intl` in that language, and words in a right-to-left
 * script turn the layout right to left.
 */
export function registerLanguage(language: string, strings: Partial<Strings>): void {
  translations[language.toLowerCase()] = async () => ({ default: strings })
}

/** The first of `tags` (BCP 47) whose language is bundled or registered, else English. */
export function pickLanguage(tags: readonly (string | null | undefined)[]): string {
  for (const tag of tags) {
    const language = tag?.toLowerCase().split('-')[0]
    if (language && (language == 'en' || Object.hasOwn(translations, language))) return language
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

export function resolveStrings(translation: Translation = {}, overrides: Translation = {}): EntryStrings {
  return { ...en, ...translation, ...overrides }
}

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match))
}

/**
 * A wait in words, units always said, largest first: "45 sec", "2 min 5 sec", "23 hr 59 min"
 * (seconds left out above an hour). `long` ("2 minutes 5 seconds") is for the live region, where
 * a screen reader may spell out an abbreviation or drop it; its units are the language's `words`
 * where it gives them.
 */
export function formatWait(language: string, seconds: number, long?: boolean, words?: WaitWords): string {
  const hours = Math.floor(seconds / 3600)
  const amounts: [number, 'hour' | 'minute' | 'second'][] = hours
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
    .map(([amount, unit]) => {
      const forms = long && words?.[`${unit}s`]
      return forms
        ? fill(forms[new Intl.PluralRules(language).select(amount)] ?? forms.other, { n: amount })
        : new Intl.NumberFormat(language, {
            style: 'unit',
            unit,
            unitDisplay: long ? 'long' : 'short',
          }).format(amount)
    })
    .join(' ')
}
