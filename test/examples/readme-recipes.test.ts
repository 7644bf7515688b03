/**
 * The README's recipes are copies of demo/examples/, which the tests install and run: a line
 * `<!-- example: demo/examples/<name>/<file> -->` right before a fenced code block means the block
 * is that whole file, character for character. So a recipe can't drift from what is tested, and
 * every example is shown somewhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repositoryRoot } from '../helpers/packed-package.js'

interface Marker {
  path: string
  /** 1-based line of the marker in README.md. */
  line: number
  /** The fenced block's content after the marker, or undefined when no fence follows it. */
  block: string | undefined
}

function markers(readme: string): Marker[] {
  const lines = readme.split('\n')
  const found: Marker[] = []
  lines.forEach((text, index) => {
    const marker = /^<!-- example: (\S+) -->$/.exec(text.trim())
    if (!marker) return
    const fence = /^(`{3,})[\w-]*$/.exec(lines[index + 1] ?? '')
    let block: string | undefined
    if (fence) {
      const end = lines.findIndex((line, at) => at > index + 1 && line === fence[1])
      if (end > 0) block = lines.slice(index + 2, end).join('\n') + '\n'
    }
    found.push({ path: marker[1]!, line: index + 1, block })
  })
  return found
}

const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
const found = markers(readme)

describe('README recipes', () => {
  it('has example markers, each directly followed by a fenced block', () => {
    expect(found.length).toBeGreaterThan(0)
    for (const marker of found) expect(marker.block, `README.md:${marker.line} ${marker.path}`).toBeDefined()
  })

  it('each marked block is exactly the whole file it names, which exists under demo/examples/', () => {
    for (const { path, line, block } of found) {
      expect(path, `README.md:${line}`).toMatch(/^demo\/examples\/[^/]+\/.+/)
      const file = join(repositoryRoot, path)
      expect(existsSync(file), `README.md:${line}: ${path} does not exist`).toBe(true)
      expect(block, `README.md:${line}: the block differs from ${path}`).toBe(readFileSync(file, 'utf8'))
    }
  })

  it('shows every example: each directory in demo/examples/ is named by at least one marker', () => {
    const examples = readdirSync(join(repositoryRoot, 'demo/examples')).filter((entry) =>
      statSync(join(repositoryRoot, 'demo/examples', entry)).isDirectory(),
    )
    expect(examples.length).toBeGreaterThan(0)
    const shown = new Set(found.map((marker) => marker.path.split('/')[2]))
    expect(examples.filter((example) => !shown.has(example))).toEqual([])
  })
})
