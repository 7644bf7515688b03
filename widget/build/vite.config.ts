/**
 * `npm run build:widget` runs this twice:
 * - default: `dist/widget/two-factor-auth.js` for a script tag (the kit serves it as /widget.js):
 *   one minified ES module with Lit inside; the phone-number code, the open country list, the
 *   captcha code and each non-English language are lazily imported, content-hashed chunks next to it.
 * - `--mode lib`: `dist/widget-lib/` for bundlers (`two-factor-kit/widget`, `…/widget/element`):
 *   ES modules with lit and libphonenumber-js left as imports, so an app shares its own copies.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { languageChunks } from './vite-language-chunks.js'
import { libphonenumberModern } from './vite-libphonenumber-modern.js'
import { minifyLitTemplates } from './vite-minify-templates.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

// Lit's production build, whatever NODE_ENV says (vitest, which also runs this build, sets "test").
const resolve = { conditions: ['module', 'browser', 'production'] }

/**
 * The entry is served as /widget.js, not under its file name: a chunk that imported it (because it
 * shares code with it) would load a second copy of the element. Chunks must stand alone.
 */
function standaloneChunks(): Plugin {
  return {
    name: 'two-factor-kit:standalone-chunks',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && !chunk.isEntry && chunk.imports.length > 0) {
          this.error(
            `${chunk.fileName} imports ${chunk.imports.join(', ')}: lazy chunks must not share modules with the entry`,
          )
        }
      }
    },
  }
}

export default defineConfig(({ mode }) =>
  mode === 'lib'
    ? {
        root,
        publicDir: false,
        logLevel: 'warn',
        resolve,
        plugins: [minifyLitTemplates()],
        build: {
          outDir: 'dist/widget-lib',
          emptyOutDir: true,
          target: 'es2022',
          minify: false,
          reportCompressedSize: false,
          lib: {
            entry: { index: 'widget/index.ts', element: 'widget/element.ts' },
            formats: ['es'],
            fileName: (_format, name) => `${name}.js`,
          },
          rolldownOptions: {
            external: [/^lit(\/|$)/, /^libphonenumber-js(\/|$)/],
            output: { chunkFileNames: '[name]-[hash].js' },
          },
        },
      }
    : {
        root,
        publicDir: false,
        logLevel: 'warn',
        resolve,
        plugins: [minifyLitTemplates(), libphonenumberModern(), languageChunks(), standaloneChunks()],
        build: {
          outDir: 'dist/widget',
          emptyOutDir: true,
          target: 'es2022',
          minify: true,
          reportCompressedSize: false,
          lib: {
            entry: 'widget/index.ts',
            formats: ['es'],
            fileName: () => 'two-factor-auth.js',
          },
          rolldownOptions: {
            // Lib mode keeps whitespace and /* @__PURE__ */ notes in ES output, for other bundlers'
            // tree-shaking; this file is for browsers, and no bundler reads it (-31 B gzip first paint).
            output: {
              chunkFileNames: 'two-factor-auth-[name]-[hash].js',
              minify: true,
              comments: { annotation: false },
            },
          },
        },
      },
)
