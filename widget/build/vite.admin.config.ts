/**
 * `npm run build:admin` (part of `npm run build:widget`): the operator console, its own entry and
 * never part of the widget's bundle — `dist/widget/admin/dashboard.js`, one minified ES module with
 * Lit inside, and `dist/widget/admin/index.html`, the page shell that loads it by URL (no inline
 * script: the page's CSP has none). Inside dist/widget/ so that the package's files and the
 * Workers assets binding that carry the widget carry the console too. Build it after the widget:
 * the widget's build empties dist/widget/. Being last, it then writes a `.br` and a `.gz` next to
 * every JS and JSON file of dist/widget/, the widget's and its own, which the Node entry serves.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { minifyLitTemplates } from './vite-minify-templates.js'
import { precompress } from './vite-precompress.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const widgetDirectory = fileURLToPath(new URL('../../dist/widget/', import.meta.url))

/** The page shell, copied next to the script. */
function dashboardPage(): Plugin {
  return {
    name: 'two-factor-kit:dashboard-page',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'index.html',
        source: readFileSync(new URL('../admin/index.html', import.meta.url), 'utf8'),
      })
    },
  }
}

export default defineConfig({
  root,
  publicDir: false,
  logLevel: 'warn',
  // Lit's production build, whatever NODE_ENV says.
  resolve: { conditions: ['module', 'browser', 'production'] },
  plugins: [minifyLitTemplates(), dashboardPage(), precompress(widgetDirectory)],
  build: {
    outDir: 'dist/widget/admin',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    reportCompressedSize: false,
    lib: {
      entry: 'widget/admin/index.ts',
      formats: ['es'],
      fileName: () => 'dashboard.js',
    },
    rolldownOptions: {
      output: { minify: true, comments: { annotation: false } },
    },
  },
})
