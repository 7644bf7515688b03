import { describe, expect, it } from 'vitest'
import { describeE164, maskE164, normalizePhoneNumber } from './phone.js'

describe('describeE164', () => {
  it('masks as maskE164 does and names the country normalizePhoneNumber finds, for a valid number', () => {
    const e164 = '+385911234567'
    expect(describeE164(e164)).toStrictEqual({
      masked: maskE164(e164),
      country: normalizePhoneNumber(e164).country,
    })
    expect(describeE164(e164)).toStrictEqual({ masked: '+385 •• ••• ••67', country: 'HR' })
  })

  it('names no country for a number that parses but is not valid (a test number), and masks it all the same', () => {
    const e164 = '+385000000000' // parses as HR, fits no pattern
    expect(() => normalizePhoneNumber(e164)).toThrow()
    expect(describeE164(e164)).toStrictEqual({ masked: maskE164(e164), country: null })
  })

  it("hides all but the last two digits of what doesn't parse", () => {
    expect(describeE164('+99912')).toStrictEqual({ masked: maskE164('+99912'), country: null })
  })
})
