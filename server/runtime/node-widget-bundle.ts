/**
 * Node only: reads the built widget from `dist/widget/` for `widgetRoutes({ loadScript })`. Each
 * call reads the file again, so `npm run build:widget` takes effect without a restart.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

// server/runtime/ in the repository, dist/server/runtime/ in the package.
const bundleDirectory = new URL(
  import.meta.url.includes('/dist/server/') ? '../../widget/' : '../../dist/widget/',
  import.meta.url,
)

/** `file` is `two-factor-auth.js` (the default) or one of its chunks; undefined for an unknown chunk. */
export async function loadWidgetScript(file = 'two-factor-auth.js'): Promise<string | undefined> {
  if (!/^two-factor-auth(-[\w-]+)?\.js$/.test(file)) return undefined
  const url = new URL(file, bundleDirectory)
  try {
    return await readFile(url, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    if (file !== 'two-factor-auth.js') return undefined
    throw new Error(
      `the widget is not built: ${fileURLToPath(url)} is missing. Run \`npm run build:widget\` first.`,
    )
  }
}
