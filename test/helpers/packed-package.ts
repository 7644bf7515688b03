/**
 * The package as a user gets it: `npm pack` of this repository, and apps installed from that
 * tarball with `npm install`, the way the README tells a new user to.
 *
 * Packing runs `prepack` (the widget and server builds, about a minute), so it happens once per set
 * of inputs: in a copy of the repository (the suites that read dist/ in place never see a half-built
 * tree), serialised across vitest workers by a lock directory, and kept in node_modules/.cache under
 * a hash of its inputs (the four newest kept). A fresh clone (CI) has no cache and packs once.
 */
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inputFiles, inputsHash } from './inputs-hash.js'

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))
const cacheRoot = join(repositoryRoot, 'node_modules/.cache/two-factor-kit/packed')
const lockDir = join(cacheRoot, '.lock')

/** What `npm pack` reads: the sources, the build configuration and the installed tools. */
const PACK_INPUTS = ['server', 'widget']
const PACK_FILES = [
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'tsconfig.json',
  'tsconfig.worker.json',
  'demo/wrangler.jsonc',
  'custom-elements.json',
  'LICENSE',
  'README.md',
]

function packKey(): string {
  return inputsHash(repositoryRoot, inputFiles(repositoryRoot, PACK_INPUTS, PACK_FILES))
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs `work` while holding the lock directory; a lock older than 10 minutes is a dead holder's. */
function withLock<T>(work: () => T): T {
  mkdirSync(cacheRoot, { recursive: true })
  const deadline = Date.now() + 15 * 60_000
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch {
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000)
          rmSync(lockDir, { recursive: true, force: true })
      } catch {
        // gone meanwhile: try again
      }
      if (Date.now() > deadline) throw new Error(`waited 15 minutes for ${lockDir}`)
      sleep(250)
    }
  }
  try {
    return work()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

/**
 * The path of `two-factor-kit-<version>.tgz` packed from the current sources: packed now, or the
 * tarball of an earlier pack of the same inputs.
 */
export function packedTarball(): string {
  const key = packKey()
  const keyDir = join(cacheRoot, key)
  const find = () => readdirSync(keyDir).find((file) => file.endsWith('.tgz'))
  if (existsSync(keyDir)) return join(keyDir, find()!)
  return withLock(() => {
    if (existsSync(keyDir)) return join(keyDir, find()!)
    const copy = mkdtempSync(join(tmpdir(), 'tfk-pack-'))
    try {
      for (const entry of readdirSync(repositoryRoot)) {
        if (['node_modules', '.git', 'dist', 'test', '.wrangler', 'coverage'].includes(entry)) continue
        cpSync(join(repositoryRoot, entry), join(copy, entry), { recursive: true })
      }
      symlinkSync(join(repositoryRoot, 'node_modules'), join(copy, 'node_modules'), 'dir')
      const out = mkdtempSync(join(cacheRoot, 'packing-'))
      const pack = spawnSync('npm', ['pack', '--pack-destination', out, '--json'], {
        cwd: copy,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      })
      if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`)
      renameSync(out, keyDir)
      // The four newest packs are kept (several work trees may share this node_modules).
      const packs = readdirSync(cacheRoot)
        .filter((entry) => entry !== '.lock')
        .map((entry) => ({ path: join(cacheRoot, entry), at: statSync(join(cacheRoot, entry)).mtimeMs }))
        .sort((a, b) => b.at - a.at)
      for (const old of packs.slice(4)) rmSync(old.path, { recursive: true, force: true })
      return join(keyDir, find()!)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })
}

export interface InstalledApp {
  /** The app's directory: the example's files, its node_modules installed by npm. */
  dir: string
  remove(): void
}

/**
 * Copies `demo/examples/<name>` into a temporary directory and runs `npm install` there with the
 * example's own package.json, `two-factor-kit` taken from the packed tarball. Everything else comes
 * from the registry (npm's cache first: the repository's devDependencies pin the same versions).
 */
export function installExample(name: string, options: { timeoutMs?: number } = {}): InstalledApp {
  const tarball = packedTarball()
  const source = join(repositoryRoot, 'demo/examples', name)
  const dir = mkdtempSync(join(tmpdir(), `tfk-example-${name}-`))
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|\.next|dist|\.wrangler)([\\/]|$)/.test(relative(source, path)),
  })
  const manifestPath = join(dir, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    dependencies?: Record<string, string>
  }
  if (!manifest.dependencies?.['two-factor-kit'])
    throw new Error(`demo/examples/${name}/package.json does not depend on two-factor-kit`)
  manifest.dependencies['two-factor-kit'] = `file:${tarball}`
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
  const install = spawnSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 300_000,
      env: { ...process.env, NODE_OPTIONS: '', npm_config_workspaces: '' },
    },
  )
  if (install.status !== 0)
    throw new Error(`npm install in demo/examples/${name} failed:\n${install.stdout}\n${install.stderr}`)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
