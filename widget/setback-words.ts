/**
 * English for setbacks (refusals, waits, dead ends): part of the English every other language
 * falls back to, kept out of first paint in the setbacks' chunk (`setbacks.ts`), which is loaded
 * before any of these is shown.
 */
export default {
  highRiskDestination:
    'Codes can’t be sent to satellite or other special numbers. Please use a mobile number.',
  rangeVelocity: 'Too many codes were sent to numbers like this one. Please try again in {time}.',
  rangeVelocityLater: 'Too many codes were sent to numbers like this one. Please try again later.',
  lowConversion: 'Sending codes to numbers like this one is paused for now. Please try again later.',
  spendCeiling: 'No more codes can be sent today. Please try again tomorrow.',
  sendBlocked: 'Codes can’t be sent to this number right now.',
  numberTypeNotAllowed: 'Please use a mobile number.',
  notReachable: 'We can’t reach this number. Check it or use another one.',
  smsNotSent: 'We couldn’t send the text message. Please try again.',
  captchaRequired: 'Please complete the security check first.',
  captchaFailed: 'The security check failed. Please try again.',
  captchaEscalated:
    'Unusual traffic to numbers like yours: complete the security check, then send the code again.',
  // Why a send is held back, named after the server's RATE_LIMITED `limit`.
  sendPinPerPhoneNumber: 'Too many codes were sent to this number.',
  sendPinPerIp: 'Too many codes were requested from this network.',
  sendPinPerApplication: 'The service is sending too many codes right now.',
  rateLimited: 'Too many attempts. Try again in {time}.',
  canRetry: 'You can try again now.',
  notDelivered: 'The text message couldn’t be delivered to {to}.',
  pinFormat: 'The code has {length} characters.',
  wrongPin: 'Wrong code.',
  attemptsLeft: { one: '{n} attempt left.', other: '{n} attempts left.' },
}
