/**
 * Build-time only, script-tag build: every bundled translation becomes a chunk named by its
 * language and one hash of all the locale sources (`two-factor-auth-de-<hash>.js`), and the entry
 * loads a language by computing that name from a list of codes. A table of fifteen `import()`s,
 * each with its file name, costs first paint ~70 B gzip more than the list (measured with
 * test/bench/widget-size.ts). Chunks are served immutable: the hash changes whenever a translation
 * does.
 *
 * The source keeps its table of `import()`s (tests, the lib build and editors use it as it is);
 * this rewrites exactly that table and fails the build if it can't find it.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const i18n = fileURLToPath(new URL('../i18n.ts', import.meta.url))
const localesFolder = fileURLToPath(new URL('../locales/', import.meta.url))
const table =
  /(const translations\b[^\n]* = )\{\n((?: {2}(\w+): \(\) => import\('\.\/locales\/\3\.js'\),\n)+)\}\n/

export function languageChunks(): Plugin {
  return {
    name: 'two-factor-kit:language-chunks',
    enforce: 'pre',
    transform(code, id) {
      if (id !== i18n) return
      const found = table.exec(code)
      if (!found) this.error("widget/i18n.ts: no table of `xx: () => import('./locales/xx.js'),` lines")
      const languages = [...found[2]!.matchAll(/(\w+): /g)].map((match) => match[1]!)
      const hash = createHash('sha256')
      for (const file of readdirSync(localesFolder).sort())
        hash.update(`${file}\0${readFileSync(localesFolder + file, 'utf8')}\0`)
      const suffix = hash.digest('base64url').slice(0, 8)
      for (const language of languages)
        this.emitFile({
          type: 'chunk',
          id: `${localesFolder}${language}.ts`,
          fileName: `two-factor-auth-${language}-${suffix}.js`,
        })
      return code.replace(
        table,
        `$1{}\nfor (const language of '${languages.join(' ')}'.split(' '))\n` +
          `  translations[language] = () => import(/* @vite-ignore */ \`./two-factor-auth-\${language}-${suffix}.js\`)\n`,
      )
    },
  }
}
