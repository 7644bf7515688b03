/**
 * Widget bytes as a browser downloads them, next to intl-tel-input measured the same way in the
 * same run: each built by vite (rolldown, minified ES module), each file gzipped on its own with
 * gzip -9 (node:zlib), sums being sums of separate transfers.
 *
 * Targets: first paint ≤ 15 KB, the complete widget with metadata for all countries
 * ≤ 40 KB, the whole flow on a site that allows one country ≤ 25 KB, one country's metadata
 * ≤ 5 KB, each language chunk ≤ 1.5 KB.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'
import { widgetMetadata } from '../../server/http/widget-routes.js'

export interface SizeRow {
  name: string
  bytes: number
  gzipBytes: number
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const KB = 1024

function row(name: string, text: string | Buffer): SizeRow {
  const bytes = Buffer.byteLength(text)
  return { name, bytes, gzipBytes: gzipSync(text, { level: 9 }).length }
}

function sum(name: string, rows: SizeRow[]): SizeRow {
  return {
    name,
    bytes: rows.reduce((a, r) => a + r.bytes, 0),
    gzipBytes: rows.reduce((a, r) => a + r.gzipBytes, 0),
  }
}

function verdict(name: string, measured: SizeRow, targetKb: number): SizeRow {
  const ok = measured.gzipBytes <= targetKb * KB
  return { ...measured, name: `${name} (≤ ${targetKb} KB: ${ok ? 'ok' : 'OVER'})` }
}

async function buildWidget(outDir: string): Promise<Map<string, string>> {
  await build({
    configFile: join(root, 'widget/build/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  })
  const files = new Map<string, string>()
  for (const file of await readdir(outDir)) files.set(file, await readFile(join(outDir, file), 'utf8'))
  return files
}

async function buildIntlTelInput(outDir: string): Promise<string> {
  await build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      lib: {
        entry: join(root, 'node_modules/intl-tel-input/dist/js/intlTelInputWithUtils.mjs'),
        formats: ['es'],
        fileName: () => 'intl-tel-input.js',
      },
      rolldownOptions: { output: { minify: true } },
    },
  })
  return readFile(join(outDir, 'intl-tel-input.js'), 'utf8')
}

export async function measureWidgetSizes(): Promise<SizeRow[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'widget-size-'))
  try {
    const widget = await buildWidget(join(scratch, 'widget'))
    const pick = (pattern: RegExp) => [...widget].find(([file]) => pattern.test(file))?.[1] ?? ''
    const entry = row('widget.js: first paint (Lit, element, English)', pick(/^two-factor-auth\.js$/))
    const phone = row('+ phone-number chunk (libphonenumber-js core)', pick(/^two-factor-auth-phone-number-/))
    const countryList = row('+ country-list chunk (on first open)', pick(/^two-factor-auth-country-list-/))
    const language = row('+ one more language (hr)', pick(/^two-factor-auth-hr-/))
    const languages = [...widget]
      .map(([file, text]) => [/^two-factor-auth-([a-z]{2,3})-[\w-]{8}\.js$/.exec(file)?.[1], text] as const)
      .filter((entry): entry is [string, string] => !!entry[0])
      .map(([code, text]) => row(code, text))
    const largestLanguage = languages.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a))
    const allMetadata = row('+ metadata.json, all countries', JSON.stringify(widgetMetadata(null)))
    const oneMetadata = row('+ metadata.json, one country (HR)', JSON.stringify(widgetMetadata(['HR'])))

    const iti = await buildIntlTelInput(join(scratch, 'iti'))
    const itiJs = row('intl-tel-input 29: core + utils (reference)', iti)
    const itiCss = row(
      'intl-tel-input 29: CSS (reference)',
      await readFile(join(root, 'node_modules/intl-tel-input/dist/css/intlTelInput.min.css')),
    )
    // Complete = everything a visitor who opens the country list downloads (the captcha chunk and
    // the other languages are left out: they load only when the server or the page asks for them).
    const complete = sum('widget complete, all countries', [entry, phone, countryList, allMetadata])
    // A site that allows one country shows it and offers no list: the list's chunk is never
    // fetched (test/e2e/one-country-downloads.test.ts follows a whole verification there).
    const oneCountry = sum('widget complete, one country (HR)', [entry, phone, oneMetadata])

    return [
      verdict(entry.name, entry, 15),
      phone,
      countryList,
      language,
      verdict(
        `largest of ${languages.length} language chunks (${largestLanguage.name})`,
        largestLanguage,
        1.5,
      ),
      allMetadata,
      verdict(oneMetadata.name, oneMetadata, 5),
      verdict(complete.name, complete, 40),
      verdict(oneCountry.name, oneCountry, 25),
      itiJs,
      itiCss,
    ]
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
