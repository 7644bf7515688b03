/**
 * Exact tallies of what a burst of requests got back, so a concurrency test can assert every answer
 * at once (`{ '201': 1, '429 resendCooldown': 199 }`). No imports: it runs under Node and in workerd.
 */

/** `201`, or the refusal as `<status> <limit>` (`429 sendPinPerPhoneNumber`), or `<status> <code>`. */
export async function sendOutcome(response: Response): Promise<string> {
  if (response.status === 201) return '201'
  const { error } = (await response.json()) as { error: { code: string; limit?: string } }
  return `${response.status} ${error.limit ?? error.code}`
}

/** How many times each value occurs, keys in order of first appearance. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}
