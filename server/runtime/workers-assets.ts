/**
 * Workers only: reads the built widget from a Workers Static Assets binding for
 * `widgetRoutes({ loadScript })`. Assets rather than text modules: the widget has content-hashed
 * chunks whose names a Worker can't import by, and assets don't count towards the Worker's bundle
 * size. Plain fetch, so Node can type-check it.
 */

/** The part of a Workers Static Assets binding the widget routes use. */
export interface AssetsFetcher {
  fetch(input: string): Promise<Response>
}

export function widgetFromAssets(assets: AssetsFetcher): (file: string) => Promise<string | undefined> {
  return async (file) => {
    if (!/^two-factor-auth(-[\w-]+)?\.js$/.test(file)) return undefined
    const response = await assets.fetch(`https://assets.invalid/${file}`)
    if (response.status === 404) {
      if (file !== 'two-factor-auth.js') return undefined
      throw new Error(
        'the widget is not built: dist/widget/two-factor-auth.js is missing. Run `npm run build:widget` first.',
      )
    }
    if (!response.ok) throw new Error(`the widget assets answered ${response.status} for ${file}`)
    return response.text()
  }
}

/**
 * The operator console's files (`index.html`, `dashboard*.js`) from the same binding: the console
 * is built into `dist/widget/admin/`. Undefined for anything else, or when it isn't built.
 */
export function dashboardFromAssets(assets: AssetsFetcher): (file: string) => Promise<string | undefined> {
  return async (file) => {
    if (file !== 'index.html' && !/^dashboard[\w-]*\.js$/.test(file)) return undefined
    // `admin/` rather than `admin/index.html`: the assets' default html_handling redirects the latter.
    const response = await assets.fetch(`https://assets.invalid/admin/${file === 'index.html' ? '' : file}`)
    if (response.status === 404) return undefined
    if (!response.ok) throw new Error(`the widget assets answered ${response.status} for admin/${file}`)
    return response.text()
  }
}
