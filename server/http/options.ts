/**
 * `twoFactor()`'s options: the product's (core/options.ts) plus what only the HTTP layer needs —
 * where the caller's IP comes from, and the widget files to serve next to the API.
 */
import type { Context } from 'hono'
import type { TwoFactorCoreOptions } from '../core/options.js'
import type { AdminRoutesConfig } from './admin.js'
import type { WidgetRoutesConfig } from './widget-routes.js'

export interface TwoFactorOptions extends TwoFactorCoreOptions {
  /**
   * The caller's IP, from a source the deployment trusts (the Node entry counts proxy hops, the
   * Workers entry reads `CF-Connecting-IP`). Used for per-IP limits; `undefined` skips them (said
   * once in the log).
   * @default the connection's address on Node, Bun and Deno (no proxy header is trusted)
   */
  getClientIp?: (c: Context) => string | undefined
  /**
   * Serve the `<two-factor-auth>` bundle at `/widget.js` and its chunks. The runtime entry supplies
   * the files: the Node entry reads `dist/widget/`. (`/metadata.json`, phone metadata for the allowed
   * countries, is served with or without this option.)
   * @default undefined (no widget files; `/metadata.json` still served)
   */
  widget?: Pick<WidgetRoutesConfig, 'loadScript' | 'version' | 'loadPrecompressed'>
  /**
   * Compress `/metadata.json` (gzip; brotli too where the runtime has it) once per process, with or
   * without the widget's files. The Workers entry turns it off: Cloudflare's edge compresses what a
   * Worker sends as it is, and would not improve on a body the Worker had encoded itself.
   * @default true (the Workers entry: false)
   */
  compressMetadata?: boolean
  /**
   * The admin API's bearer token (`TWO_FACTOR_ADMIN_TOKEN`): at least 32 random characters. Unset,
   * the `/admin` routes (API, metrics, dashboard) don't exist.
   * @default undefined
   */
  adminToken?: string
  /**
   * The dashboard page's files, served at `/admin/` when `adminToken` is set. The runtime entry
   * supplies them: the Node entry reads `dist/admin/`.
   * @default undefined (the admin API without its page)
   */
  dashboard?: AdminRoutesConfig['dashboard']
}
