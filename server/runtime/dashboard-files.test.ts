import { describe, expect, it } from 'vitest'
import { loadDashboardFile } from './node-dashboard-files.js'
import { dashboardFromAssets, type AssetsFetcher } from './workers-assets.js'

const outsideNames = [
  '../../package.json',
  'two-factor-auth.js',
  'dashboard.js/../../x.js',
  'index.htm',
  '.env',
]

describe('the operator console files on Node (dist/widget/admin/)', () => {
  it('reads only index.html and dashboard*.js: any other name is undefined, whatever exists on disk', async () => {
    for (const name of outsideNames) expect(await loadDashboardFile(name)).toBeUndefined()
  })

  it('answers undefined for a console file that is not built, so the route can say "not built"', async () => {
    expect(await loadDashboardFile('dashboard-not-built-ABC123.js')).toBeUndefined()
  })
})

describe('the operator console files on Workers (the widget assets binding, admin/)', () => {
  function fakeAssets(files: Record<string, Response>) {
    const asked: string[] = []
    const assets: AssetsFetcher = {
      async fetch(input) {
        asked.push(input)
        return files[input]?.clone() ?? new Response('not found', { status: 404 })
      },
    }
    return { assets, asked }
  }

  it('asks for admin/ (the assets redirect admin/index.html there) and admin/dashboard*.js', async () => {
    const { assets, asked } = fakeAssets({
      'https://assets.invalid/admin/': new Response('<!doctype html>shell'),
      'https://assets.invalid/admin/dashboard.js': new Response('export {}'),
    })
    const load = dashboardFromAssets(assets)
    expect(await load('index.html')).toBe('<!doctype html>shell')
    expect(await load('dashboard.js')).toBe('export {}')
    expect(asked).toEqual(['https://assets.invalid/admin/', 'https://assets.invalid/admin/dashboard.js'])
  })

  it('never asks the binding for another name; a missing file is undefined, a failing binding throws', async () => {
    const { assets, asked } = fakeAssets({
      'https://assets.invalid/admin/dashboard-broken.js': new Response('oops', { status: 500 }),
    })
    const load = dashboardFromAssets(assets)
    for (const name of outsideNames) expect(await load(name)).toBeUndefined()
    expect(asked).toEqual([])
    expect(await load('dashboard-missing.js')).toBeUndefined()
    await expect(load('dashboard-broken.js')).rejects.toThrow('answered 500 for admin/dashboard-broken.js')
  })
})
