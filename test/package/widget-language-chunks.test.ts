/**
 * The script-tag widget's languages as a browser downloads them: `widget/build/vite.config.ts`
 * builds `two-factor-auth.js` (first paint, English inside) with every other language a chunk of
 * its own, whose name the entry computes (widget/build/vite-language-chunks.ts) and imports only
 * when a page asks for it, each ≤ 1.5 KB gzip (gzip -9, as the size bench measures).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const languages = ['ar', 'de', 'es', 'fr', 'he', 'hr', 'it', 'ja', 'nl', 'pl', 'pt', 'ru', 'tr', 'uk', 'zh']
const outDir = mkdtempSync(join(tmpdir(), 'widget-languages-'))
const files = new Map<string, string>()

beforeAll(async () => {
  await build({
    configFile: join(root, 'widget/build/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  })
  for (const file of readdirSync(outDir)) files.set(file, readFileSync(join(outDir, file), 'utf8'))
})
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

const entry = () => files.get('two-factor-auth.js')!

describe('widget language chunks', () => {
  it('the entry names each language once, in a list, and imports a chunk by name only when asked', () => {
    const list = /`((?:[a-z]{2,3} )+[a-z]{2,3})`\.split\(` `\)/.exec(entry())
    expect(list?.[1]?.split(' ').sort()).toEqual(languages)
    expect(entry()).toMatch(/import\(`\.\/two-factor-auth-\$\{\w+\}-[\w-]{8}\.js`\)/)
    // No static import of anything: the entry stands alone.
    expect(entry()).not.toMatch(/(^|[;}])import[\s{*]/)
  })

  for (const language of languages) {
    it(`${language}: the chunk the entry computes exists, ≤ 1,536 B gzip, and exports the translation`, () => {
      const suffix = /import\(`\.\/two-factor-auth-\$\{\w+\}-([\w-]{8})\.js`\)/.exec(entry())![1]
      const chunk = files.get(`two-factor-auth-${language}-${suffix}.js`)
      expect(chunk).toBeDefined()
      expect(gzipSync(chunk!, { level: 9 }).length).toBeLessThanOrEqual(1536)
      expect(chunk).toMatch(/^var \w+=\{phoneLabel:`[^`]+`,[\s\S]*\};export\{\w+ as default\};\s*$/)
    })
  }

  it('first paint holds English and no other language', () => {
    expect(entry()).toContain('Phone number')
    for (const phoneLabel of [
      'Telefonnummer',
      'Numero di telefono',
      'Номер телефона',
      'מספר טלפון',
      '電話番号',
      '电话号码',
    ])
      expect(entry()).not.toContain(phoneLabel)
  })
})
