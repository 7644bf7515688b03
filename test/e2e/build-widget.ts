/** Builds the widget once before the e2e run, so the demo serves the code under test, not a stale build. */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export default async function buildWidget(): Promise<void> {
  await build({
    configFile: fileURLToPath(new URL('../../widget/build/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  })
}
