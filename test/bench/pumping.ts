/**
 * The "Abuse and cost" section of `npm run bench`: the pumping simulations of
 * test/helpers/pumping-simulation.ts at the default policies, as one table. Deterministic (fake
 * clock, seeded PRNG): the same figures every run, which test/security/pumping-simulation.test.ts
 * asserts.
 */
import {
  europeanPopulationAndItsCeiling,
  rangeAttack,
  runAllScenarios,
  type ScenarioResult,
} from '../helpers/pumping-simulation.js'

export async function printAbuseAndCost(): Promise<void> {
  const rows = [
    ...(await runAllScenarios()),
    // The range attack kept up for a day: each block it waits out is shorter to reach and longer.
    await rangeAttack({ minutes: 24 * 60 }),
    ...(await europeanPopulationAndItsCeiling()),
  ]
  const table: string[][] = [
    [
      'scenario',
      'requests',
      'SMS paid before the attack was stopped',
      'legitimate sends refused',
      'estimated spend',
    ],
    ...rows.map((row) => {
      const legitimate = row.scenario.startsWith('legitimate')
      return [
        row.scenario,
        String(row.requests),
        legitimate ? '—' : paidCell(row),
        legitimate ? String(row.legitimateRefused) : '—',
        row.spend.toFixed(2),
      ]
    }),
  ]
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)))
  for (const cells of table)
    console.log(`  | ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`)
  for (const row of rows) console.log(`  ${row.scenario}: refused ${JSON.stringify(row.refusedByReason)}`)
}

function paidCell(row: ScenarioResult): string {
  const last = row.lastPaidAtMinute === null ? '' : `, last at minute ${row.lastPaidAtMinute}`
  return `${row.paidSms} (first refusal after ${row.paidBeforeFirstRefusal}${last})`
}
