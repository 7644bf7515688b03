import { PhoneVerification } from './phone-verification'

export default function SignUpPage() {
  return (
    <main>
      <h1>Sign up</h1>
      <PhoneVerification />
    </main>
  )
}
