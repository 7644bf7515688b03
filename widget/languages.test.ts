/// <reference types="vite/client" />
/**
 * Languages beyond the five first ones: every bundled translation complete and plural-correct, a
 * language a site registers itself, and right-to-left layout.
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { formatWait, pickLanguage, registerLanguage, type WaitWords } from './i18n.js'
import hr from './locales/hr.js'
import firstPaintEnglish from './locales/en.js'
import setbackWords from './setback-words.js'
import { installFakeApi, refusal } from './testing/fake-api.js'
import { find, get, mount, reachPinStep, text, until } from './testing/mount.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

const locales = import.meta.glob<{ default: Record<string, unknown> }>(
  ['./locales/*.ts', '!./locales/en.ts'],
  {
    eager: true,
  },
)
const bundled = Object.entries(locales).map(
  ([path, module]) => [/(\w+)\.ts$/.exec(path)![1]!, module.default] as const,
)

/** All of English: what first paint holds, and the setbacks' words their chunk holds. */
const en = { ...firstPaintEnglish, ...setbackWords }

const waitWordKeys: string[] = ['seconds', 'minutes', 'hours'] satisfies (keyof WaitWords)[]

const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort()

beforeEach(() => {
  installFakeApi()
})
afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
})

describe('bundled languages', () => {
  it('are the first five and the eleven added ones, each chosen by its lang', () => {
    const codes = bundled.map(([code]) => code).sort()
    expect(codes).to.deep.equal(
      ['ar', 'de', 'es', 'fr', 'he', 'hr', 'it', 'ja', 'nl', 'pl', 'pt', 'ru', 'tr', 'uk', 'zh'].sort(),
    )
    for (const code of codes) expect(pickLanguage([`${code}-XX`])).to.equal(code)
  })

  for (const [code, strings] of bundled) {
    it(`${code}: every key of English, the same placeholders, a plural form for every count from 0 to 1000`, () => {
      // A language may add its own wait words (which Intl gives otherwise): plurals like the others.
      const waitWords = waitWordKeys.filter((key) => key in strings)
      expect(
        Object.keys(strings)
          .filter((key) => !waitWords.includes(key))
          .sort(),
      ).to.deep.equal(Object.keys(en).sort())
      const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories
      const plurals: [string, unknown][] = waitWords.map((key) => [key, { other: '{n}' }])
      for (const [key, english] of [...Object.entries(en), ...plurals]) {
        const translated = strings[key]
        if (typeof english === 'string') {
          expect(translated, key).to.be.a('string')
          expect(placeholders(translated as string), key).to.deep.equal(placeholders(english))
          continue
        }
        const forms = translated as Record<string, string>
        expect(forms.other, `${key}.other`).to.be.a('string')
        for (const category of Object.keys(forms))
          expect(categories, `${key}.${category}`).to.include(category)
        const rules = new Intl.PluralRules(code)
        for (let count = 0; count <= 1000; count++)
          expect(forms, `${key} for ${count} (${rules.select(count)})`).to.have.property(rules.select(count))
        // A form that doesn't spell its number out says it: "{n}" in "other" at least.
        expect(forms.other, `${key}.other`).to.include('{n}')
      }
    })
  }

  it('Russian: its words, Russian country names, and 2 attempts in the few form (попытки)', async () => {
    const element = await mount('lang="ru-RU" default-country="HR"')
    await until(() => text(element, 'label') === 'Номер телефона', 'Russian never loaded')
    expect(text(element, '#country .visually-hidden')).to.equal(
      `Страна: ${new Intl.DisplayNames('ru', { type: 'region' }).of('HR')}`,
    )
    await reachPinStep(element)
    await userEvent.keyboard('000000')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal('Неверный код. Осталось 2 попытки.')
    await expect(element).to.be.accessible()
  })
})

describe('Croatian waits', () => {
  it('are said in full in the accusative that "za" takes: 1 sekundu, 2 sekunde, 5 sekundi, 21 sekundu, 1 minutu, 1 sat', () => {
    const said = (seconds: number) => formatWait('hr', seconds, true, hr)
    expect([1, 2, 5, 11, 21, 22, 25].map(said)).to.deep.equal([
      '1 sekundu',
      '2 sekunde',
      '5 sekundi',
      '11 sekundi',
      '21 sekundu',
      '22 sekunde',
      '25 sekundi',
    ])
    expect([60, 125, 300, 1260, 3600, 7260].map(said)).to.deep.equal([
      '1 minutu',
      '2 minute 5 sekundi',
      '5 minuta',
      '21 minutu',
      '1 sat',
      '2 sata 1 minutu',
    ])
    // Written short, as the widget shows them, the units are abbreviations in any case.
    expect(formatWait('hr', 61)).to.equal('1 min 1 s')
  })

  it('the live region says "Pokušajte ponovno za 1 minutu 1 sekundu." for a 61 s wait', async () => {
    const api = installFakeApi()
    const element = await mount('lang="hr" default-country="HR"')
    await until(() => text(element, 'button[type=submit]') === 'Pošalji kôd', 'Croatian never loaded')
    await reachPinStep(element)
    api.replyOnce(
      'POST /pin/:id/verify',
      refusal(429, 'RATE_LIMITED', { limit: 'verifyPin', retryAfter: 61 }, { 'Retry-After': '61' }),
    )
    await userEvent.keyboard('111111')
    await until(() => find(element, '#pin-error'), 'the wait was never shown')
    expect(text(element, '[role=status]')).to.equal(
      'Previše pokušaja. Pokušajte ponovno za 1 minutu 1 sekundu.',
    )
  })
})

describe('lang', () => {
  it('set as a property, renders in that language at once and shows on the attribute', async () => {
    const element = await mount('default-country="HR"')
    element.lang = 'it'
    await until(() => text(element, 'label') === 'Numero di telefono', 'Italian never loaded')
    expect(element.getAttribute('lang')).to.equal('it')
    expect(element.language).to.equal('it')
    element.removeAttribute('lang')
    await until(() => text(element, 'label') === 'Phone number', 'English never came back')
  })
})

describe('registerLanguage', () => {
  it('a site’s own language (Persian): its words, its plural rules, country names and units from Intl, right to left', async () => {
    registerLanguage('fa', {
      phoneLabel: 'شماره تلفن',
      country: 'کشور',
      sendCode: 'ارسال کد',
      wrongPin: 'کد نادرست است.',
      attemptsLeft: { one: '{n} تلاش باقی مانده است.', other: '{n} تلاش باقی مانده است.' },
      resendIn: 'تا {time} دیگر می‌توانید کد تازه بخواهید.',
    })
    const element = await mount('default-country="HR"', {
      wrap: (widget) => `<div lang="fa-IR">${widget}</div>`,
    })
    await until(() => text(element, 'label') === 'شماره تلفن', 'the registered language was never used')
    expect(element.language).to.equal('fa')
    expect(text(element, '#country .visually-hidden')).to.equal(
      `کشور: ${new Intl.DisplayNames('fa', { type: 'region' }).of('HR')}`,
    )
    expect(text(element, 'button[type=submit]')).to.equal('ارسال کد')
    expect(get(element, 'fieldset').matches(':dir(rtl)')).to.equal(true)
    await reachPinStep(element)
    // English fills what the site left out; the wait is in Persian units and digits.
    expect(text(element, '.sent')).to.match(/^We sent a code to/)
    const seconds = new Intl.NumberFormat('fa', { style: 'unit', unit: 'second', unitDisplay: 'short' })
    expect(text(element, '.step > p.hint:last-child')).to.match(/^تا .+ دیگر می‌توانید کد تازه بخواهید\.$/)
    expect(text(element, '.step > p.hint:last-child')).to.include(
      seconds.formatToParts(30).find((part) => part.type === 'unit')!.value,
    )
    await userEvent.keyboard('000000')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal('کد نادرست است. 2 تلاش باقی مانده است.')
    await expect(element).to.be.accessible()
  })

  it('replaces a bundled language for elements that load it afterwards, and English fills the gaps', async () => {
    registerLanguage('NL', { phoneLabel: 'Mobiel nummer' })
    const element = await mount('lang="nl" default-country="HR"')
    await until(() => text(element, 'label') === 'Mobiel nummer', 'the registration was never used')
    expect(text(element, 'button[type=submit]')).to.equal('Send code')
  })
})

describe('right to left', () => {
  /** Left edges of the country button and the phone input, in CSS pixels. */
  const edges = (element: TwoFactorAuth) => ({
    button: get(element, '#country').getBoundingClientRect().left,
    input: get(element, '#phone').getBoundingClientRect().left,
  })

  it('left to right by default: the country button before the number, the number aligned left', async () => {
    const element = await mount('default-country="HR"')
    const { button, input } = edges(element)
    expect(button).to.be.below(input)
    expect(getComputedStyle(get(element, '#phone')).textAlign).to.be.oneOf(['start', 'left'])
  })

  for (const [name, attributes, wrap] of [
    [
      'a right-to-left page (dir="rtl") in English',
      'default-country="HR"',
      (widget: string) => `<div dir="rtl">${widget}</div>`,
    ],
    [
      'Hebrew on a page that never said dir="rtl"',
      'lang="he" default-country="HR"',
      (widget: string) => widget,
    ],
    ['Arabic', 'lang="ar-EG" default-country="HR"', (widget: string) => `<div dir="rtl">${widget}</div>`],
  ] as const) {
    it(`${name}: mirrored, the country button on the right, digits still left to right, axe clean`, async () => {
      const element = await mount(attributes, { wrap })
      await until(
        () => get(element, 'fieldset').matches(':dir(rtl)'),
        'the layout never turned right to left',
      )
      const { button, input } = edges(element)
      expect(button).to.be.above(input)
      const phone = get(element, '#phone')
      expect(getComputedStyle(phone).direction).to.equal('ltr')
      expect(getComputedStyle(phone).textAlign).to.equal('right')
      expect(getComputedStyle(get(element, 'label')).direction).to.equal('rtl')
      // The dial code reads "+385", never "385+".
      expect(getComputedStyle(get(element, '#country .dial')).direction).to.equal('ltr')
      await expect(element).to.be.accessible()
      await reachPinStep(element)
      expect(getComputedStyle(get(element, '#pin')).direction).to.equal('ltr')
      await expect(element).to.be.accessible()
    })
  }

  it('Hebrew: names, units and plurals in Hebrew (two attempts: the dual form)', async () => {
    const element = await mount('lang="he" default-country="HR"')
    await until(() => text(element, 'label') === 'מספר טלפון', 'Hebrew never loaded')
    expect(text(element, '#country .visually-hidden')).to.equal(
      `מדינה: ${new Intl.DisplayNames('he', { type: 'region' }).of('HR')}`,
    )
    await reachPinStep(element)
    await userEvent.keyboard('000000')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal('הקוד שגוי. נותרו שני ניסיונות.')
  })
})
