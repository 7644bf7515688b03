/**
 * Node only: reads the operator console's built files from `dist/widget/admin/` for
 * `twoFactor({ dashboard: { loadScript } })`. Each call reads the file again, so a new
 * `npm run build:admin` takes effect without a restart.
 */
import { readFile } from 'node:fs/promises'
import type { ContentEncoding } from '../http/content-encoding.js'
import { readPrecompressed } from './node-widget-bundle.js'

// server/runtime/ in the repository, dist/server/runtime/ in the package.
const dashboardDirectory = new URL(
  import.meta.url.includes('/dist/server/') ? '../../widget/admin/' : '../../dist/widget/admin/',
  import.meta.url,
)

const DASHBOARD_SCRIPT = /^dashboard[\w-]*\.js$/

/** The page shell (`index.html`) or the script (`dashboard*.js`); undefined for anything else or when not built. */
export async function loadDashboardFile(file: string): Promise<string | undefined> {
  if (file !== 'index.html' && !DASHBOARD_SCRIPT.test(file)) return undefined
  try {
    return await readFile(new URL(file, dashboardDirectory), 'utf8')
  } catch (error) {
    // Not built: the admin route answers NOT_FOUND and says to build, the API still works.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * The build's brotli or gzip bytes of the console's script (`dashboard*.js`); undefined for
 * anything else (the page shell is ~1 KB and `no-store`) or when not built.
 */
export async function loadPrecompressedDashboardFile(
  file: string,
  encoding: ContentEncoding,
): Promise<Uint8Array | undefined> {
  if (!DASHBOARD_SCRIPT.test(file)) return undefined
  return readPrecompressed(dashboardDirectory, file, encoding)
}
