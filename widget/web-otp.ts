/**
 * WebOTP: the browser reads the code from the incoming SMS (Chrome on Android; desktop Chrome
 * from a paired phone). Feature-detected; secure contexts only. The caller aborts `signal` when the
 * person types or leaves the step, so a late SMS never overwrites what they entered.
 */
export async function readSmsCode(signal: AbortSignal): Promise<string | undefined> {
  if (!('OTPCredential' in window) || !window.isSecureContext) return undefined
  try {
    const credential = await navigator.credentials.get({
      otp: { transport: ['sms'] },
      signal,
    } as CredentialRequestOptions)
    return (credential as { code?: string } | null)?.code
  } catch {
    return undefined // aborted, dismissed or refused: typing still works
  }
}
