/**
 * Node only: reads the built widget from `dist/widget/` for `widgetRoutes({ loadScript,
 * loadPrecompressed })`. Each call reads the file again, so `npm run build:widget` takes effect
 * without a restart.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { ContentEncoding } from '../http/content-encoding.js'

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

/** The suffix the build gives each precompressed file (widget/build/vite-precompress.ts). */
export const PRECOMPRESSED_SUFFIX: Record<ContentEncoding, string> = { br: '.br', gzip: '.gz' }

/**
 * Reads `<file>.br` or `<file>.gz`, next to `file` in `directory`; undefined when it isn't there,
 * so the caller serves the file uncompressed.
 */
export async function readPrecompressed(
  directory: URL,
  file: string,
  encoding: ContentEncoding,
): Promise<Uint8Array | undefined> {
  try {
    return await readFile(new URL(file + PRECOMPRESSED_SUFFIX[encoding], directory))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The build's brotli or gzip bytes of a widget file; undefined for another name or when not built. */
export async function loadPrecompressedWidgetFile(
  file: string,
  encoding: ContentEncoding,
): Promise<Uint8Array | undefined> {
  if (!/^two-factor-auth(-[\w-]+)?\.js$/.test(file)) return undefined
  return readPrecompressed(bundleDirectory, file, encoding)
}
