/**
 * Builds the widget, then the operator console, once before the e2e run, so the demo serves the
 * code under test, not a stale build. In that order: the widget's build empties dist/widget/, where
 * the console's build puts dist/widget/admin/.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export default async function buildWidget(): Promise<void> {
  for (const config of ['vite.config.ts', 'vite.admin.config.ts']) {
    await build({
      configFile: fileURLToPath(new URL(`../../widget/build/${config}`, import.meta.url)),
      logLevel: 'warn',
    })
  }
}
