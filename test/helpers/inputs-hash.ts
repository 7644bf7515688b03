/**
 * A build's cache key: the hash of the files it reads, so a run whose inputs match an earlier build
 * can take that build's output instead of building again.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Every file under `dirs` and the `files` that exist, relative to `root`, sorted. */
export function inputFiles(root: string, dirs: readonly string[], files: readonly string[]): string[] {
  const found = dirs.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name))),
  )
  return [...found, ...files].filter((file) => existsSync(join(root, file))).sort()
}

/** 32 hex digits of SHA-256 over each file's path and contents. */
export function inputsHash(root: string, files: readonly string[]): string {
  const hash = createHash('sha256')
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0')
  return hash.digest('hex').slice(0, 32)
}
