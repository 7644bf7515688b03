/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) next to every JavaScript and
 * JSON file under a folder, so the Node entry sends the widget compressed without compressing per
 * request (/widget.js when this was written: 43.6 KB, 15.5 KB gzip, 13.9 KB brotli). Workers
 * don't read these: Cloudflare's edge compresses itself. It runs after the files are written, so
 * chunking is untouched.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Plugin } from 'vite'

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)
const COMPRESSIBLE = /\.(js|json)$/

/**
 * Writes `path.br` and `path.gz` from the file at `path`; a variant no smaller than the file is
 * left out (a 30-byte chunk grows), so that file goes out as it is.
 */
export async function precompressFile(path: string): Promise<void> {
  const source = await readFile(path)
  const [br, gz] = await Promise.all([
    brotli(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }),
    gzipped(source, { level: constants.Z_BEST_COMPRESSION }),
  ])
  const variants: [string, Buffer][] = [
    [`${path}.br`, br],
    [`${path}.gz`, gz],
  ]
  await Promise.all(
    variants
      .filter(([, bytes]) => bytes.length < source.length)
      .map(([variant, bytes]) => writeFile(variant, bytes)),
  )
}

/** Precompresses every `.js` and `.json` file under `directory`, subfolders included; returns their paths. */
export async function precompressDirectory(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile() && COMPRESSIBLE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
  await Promise.all(files.map(precompressFile))
  return files.sort()
}

/**
 * After the build has written its files, precompresses `directory` (the whole of it: the console's
 * build, which runs last, passes all of dist/widget/, so the widget's files are done too).
 */
export function precompress(directory: string): Plugin {
  return {
    name: 'two-factor-kit:precompress',
    apply: 'build',
    async closeBundle() {
      await precompressDirectory(directory)
    },
  }
}
