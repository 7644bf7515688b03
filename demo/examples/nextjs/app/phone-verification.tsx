'use client'

import { useEffect, useState } from 'react'
// Types only: <two-factor-auth> in React's JSX, its props and its events.
import type { TwoFactorVerifiedEvent } from 'two-factor-kit/widget/react'

export function PhoneVerification() {
  const [defined, setDefined] = useState(false)
  const [phoneNumber, setPhoneNumber] = useState('')

  // The element is defined in the browser (it needs the DOM) and rendered once it is: React 19 does
  // not attach `on…` listeners to a custom element it hydrates from server HTML
  // (https://github.com/react/react/issues/35446), only to one it creates.
  useEffect(() => {
    void import('two-factor-kit/widget').then(() => setDefined(true))
  }, [])

  async function onVerified(event: TwoFactorVerifiedEvent) {
    const response = await fetch('/account', {
      method: 'POST',
      headers: { Authorization: `Bearer ${event.detail.token}` },
    })
    if (response.ok) setPhoneNumber(((await response.json()) as { phoneNumber: string }).phoneNumber)
  }

  if (phoneNumber) return <p>Welcome, {phoneNumber}.</p>
  return defined ? (
    <two-factor-auth
      endpoint="/2fa"
      name="phone_token"
      default-country="HR"
      ontwo-factor-verified={onVerified}
    />
  ) : null
}
