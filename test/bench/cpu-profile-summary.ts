/**
 * Self time of a V8 `.cpuprofile` (node --cpu-prof) aggregated by module and by function, as
 * percentages and µs per request when the request count is given. Run on its own:
 *
 *   npx tsx test/bench/cpu-profile-summary.ts <file.cpuprofile> [requests] [rows]
 *
 * "Module" is the package for node_modules (hono, libphonenumber-js…), the file for the kit's own
 * code, and V8's own names for the rest ((garbage collector), (program), (idle)).
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  /** Profile length, µs, and the part that wasn't idle. */
  totalMicros: number
  busyMicros: number
  byModule: Array<[string, number]>
  byFunction: Array<[string, number]>
  /**
   * Self time plus the time of what a function called synchronously, for the kit's own functions
   * (an async function's part after an await counts under the microtask runner, not under it).
   */
  ownInclusive: Array<[string, number]>
}

function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)'
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (packageMatch) return packageMatch[1]!
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  // The compiled copy of build-server.ts names the source it came from.
  const own = /\/(server|test)\/(.+)$/.exec(url.replace(/^.*\/bench-build\//, '/'))
  return own ? `${own[1]}/${own[2]}` : url
}

export function summarizeProfile(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
  for (let i = 0; i < profile.samples.length; i++) {
    const micros = profile.timeDeltas[i + 1] ?? 0
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + micros)
  }
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    total += micros
    if (functionName === '(idle)') idle += micros
    const module = moduleOf(url, functionName)
    byModule.set(module, (byModule.get(module) ?? 0) + micros)
    const name = `${functionName || '(anonymous)'} ${module}${url ? ':' + (lineNumber + 1) : ''}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  }
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>()
  for (const [id, micros] of self) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame
      const module = moduleOf(url, functionName)
      if (!module.startsWith('server/')) continue
      const name = `${functionName || '(anonymous)'} ${module}:${lineNumber + 1}`
      if (seen.has(name)) continue
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros)
    }
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1])
  return {
    totalMicros: total,
    busyMicros: total - idle,
    byModule: sorted(byModule),
    byFunction: sorted(byFunction),
    ownInclusive: sorted(inclusive),
  }
}

export function printProfileSummary(summary: ProfileSummary, requests?: number, rows = 25): void {
  const busy = summary.busyMicros
  const line = ([name, micros]: [string, number]) => {
    const share = ((micros / busy) * 100).toFixed(1).padStart(5) + ' %'
    const perRequest = requests ? (micros / requests).toFixed(1).padStart(7) + ' µs/req' : ''
    return `  ${share} ${perRequest}  ${name}`
  }
  console.log(
    `busy ${(busy / 1000).toFixed(0)} ms of ${(summary.totalMicros / 1000).toFixed(0)} ms` +
      (requests ? ` (${(busy / requests).toFixed(1)} µs per request over ${requests})` : ''),
  )
  console.log('self time by module (idle left out of the shares):')
  for (const row of summary.byModule.filter(([name]) => name !== '(idle)').slice(0, rows))
    console.log(line(row))
  console.log('self time by function:')
  for (const row of summary.byFunction.filter(([name]) => !name.startsWith('(idle)')).slice(0, rows))
    console.log(line(row))
  console.log("the kit's own functions, self time and what they call synchronously:")
  for (const row of summary.ownInclusive.slice(0, rows)) console.log(line(row))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, requests, rows] = process.argv.slice(2)
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [requests] [rows]')
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  printProfileSummary(
    summarizeProfile(profile),
    requests ? Number(requests) : undefined,
    rows ? Number(rows) : undefined,
  )
}
