/**
 * The widget's framework typings as a user gets them: demo/examples/vue and demo/examples/svelte
 * installed from the packed tarball, checked by their own tools (vue-tsc, svelte-check) with
 * `skipLibCheck: false`, so the shipped declarations are checked too. Then the same component with a
 * number for `endpoint` and a `detail` field the verified event doesn't have must fail at both lines:
 * typings that were `any` (or not loaded) would let it through.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installExample, type InstalledApp } from '../helpers/packed-package.js'

interface Check {
  example: string
  component: string
  command: string[]
  /** [as written in the example, a number instead] */
  wrongEndpoint: [string, string]
  /** [the token read from the verified event's detail, a field it doesn't have] */
  wrongDetail: [string, string]
}

const frameworks: Check[] = [
  {
    example: 'vue',
    component: 'src/PhoneStep.vue',
    command: ['vue-tsc', '--noEmit'],
    wrongEndpoint: ['endpoint="/2fa"', ':endpoint="2"'],
    wrongDetail: ['$event.detail.token', '$event.detail.phone'],
  },
  {
    example: 'svelte',
    component: 'src/PhoneStep.svelte',
    command: ['svelte-check', '--fail-on-warnings', '--output', 'machine'],
    wrongEndpoint: ['endpoint="/2fa"', 'endpoint={2}'],
    wrongDetail: ['event.detail.token', 'event.detail.phone'],
  },
]

function run(app: InstalledApp, [tool, ...args]: string[]): { status: number | null; output: string } {
  const result = spawnSync(join(app.dir, 'node_modules/.bin', tool!), args, {
    cwd: app.dir,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` }
}

/** An error line: vue-tsc's `file(line,col): error TS…`, svelte-check's `<time> ERROR "file" line:col …`. */
function isError(line: string): boolean {
  return /: error TS\d+|^\d+ ERROR /.test(line)
}

/** 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1
}

describe.each(frameworks)('the $example example', (check) => {
  let app: InstalledApp | undefined

  beforeAll(() => {
    app = installExample(check.example)
  }, 600_000)

  afterAll(() => app?.remove())

  it(`${check.command[0]} accepts <two-factor-auth> as the example writes it`, () => {
    const { status, output } = run(app!, check.command)
    expect(status, output).toBe(0)
    expect(output.split('\n').filter(isError), output).toEqual([])
  }, 300_000)

  it(`${check.command[0]} refuses a number for endpoint and an unknown field of the verified event's detail, at their lines`, () => {
    const path = join(app!.dir, check.component)
    const written = readFileSync(path, 'utf8')
    expect(written).toContain(check.wrongEndpoint[0])
    expect(written).toContain(check.wrongDetail[0])
    const wrong = written
      .replace(check.wrongEndpoint[0], check.wrongEndpoint[1])
      .replace(check.wrongDetail[0], check.wrongDetail[1])
    writeFileSync(path, wrong)
    try {
      const { status, output } = run(app!, check.command)
      expect(status, output).not.toBe(0)
      const errors = output.split('\n').filter(isError)
      expect(errors, output).toHaveLength(2)
      const endpointLine = lineOf(wrong, check.wrongEndpoint[1])
      const detailLine = lineOf(wrong, check.wrongDetail[1])
      const at = (line: number) => new RegExp(`(\\(${line},\\d+\\)|" ${line}:\\d+ )`)
      expect(errors.find((error) => at(endpointLine).test(error))).toMatch(
        /Type 'number' is not assignable to type 'string'/,
      )
      expect(errors.find((error) => at(detailLine).test(error))).toMatch(
        /Property 'phone' does not exist on type 'VerifiedDetail'/,
      )
    } finally {
      writeFileSync(path, written)
    }
  }, 300_000)
})
