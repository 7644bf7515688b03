/**
 * What the demo's two hosts (demo/server.ts on Node, demo/worker.ts on workerd) decide alike.
 */

/**
 * `allowedOrigins` for the demo: its own origin, so that its SMS ends with the WebOTP line
 * (`@127.0.0.1:8787 #123456`, which Chrome on Android reads to fill the code in), unless
 * TWO_FACTOR_ALLOWED_ORIGINS is set, which the kit then reads itself.
 */
export function demoAllowedOrigins(
  variables: { TWO_FACTOR_ALLOWED_ORIGINS?: string | undefined },
  ownOrigin: string,
): { allowedOrigins?: string[] } {
  return variables.TWO_FACTOR_ALLOWED_ORIGINS?.trim() ? {} : { allowedOrigins: [ownOrigin] }
}
