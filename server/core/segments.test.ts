import { describe, expect, it } from 'vitest'
import { countSegments } from './segments.js'

describe('countSegments', () => {
  it('counts a typical OTP text with a WebOTP line as one GSM-7 segment', () => {
    const text = '482913 is your Acme code.\n\n@acme.example #482913'
    expect(countSegments(text)).toEqual({ encoding: 'GSM-7', segments: 1, characters: text.length })
  })

  it('counts nothing for an empty text', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 0, characters: 0 })
  })

  it('fits 160 GSM-7 characters in one segment and 153 per part beyond', () => {
    expect(countSegments('a'.repeat(160)).segments).toBe(1)
    expect(countSegments('a'.repeat(161)).segments).toBe(2)
    expect(countSegments('a'.repeat(306)).segments).toBe(2)
    expect(countSegments('a'.repeat(307)).segments).toBe(3)
  })

  it('keeps the whole default alphabet in GSM-7, accented letters included', () => {
    const result = countSegments('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà')
    expect(result.encoding).toBe('GSM-7')
  })

  it('counts extension-table characters as two septets', () => {
    expect(countSegments('€')).toEqual({ encoding: 'GSM-7', segments: 1, characters: 2 })
    expect(countSegments('[]{}|~^\\€').characters).toBe(18)
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, characters: 160 })
  })

  it('never splits an escape sequence across two parts', () => {
    // 152 septets, then a two-septet "€" that would straddle the 153-septet boundary.
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(10))).toMatchObject({
      segments: 2,
      characters: 164,
    })
    // 81 "€" = 162 septets: 76 fit in a part (152), the other 5 go to the second.
    expect(countSegments('€'.repeat(81)).segments).toBe(2)
    expect(countSegments('€'.repeat(153)).segments).toBe(3)
  })

  it('switches to UCS-2 for any character outside GSM-7, with 70 / 67 limits', () => {
    expect(countSegments('č'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, characters: 70 })
    expect(countSegments('č'.repeat(71)).segments).toBe(2)
    expect(countSegments('č'.repeat(134)).segments).toBe(2)
    expect(countSegments('č'.repeat(135)).segments).toBe(3)
    expect(countSegments('Your code is 482913 `').encoding).toBe('UCS-2')
  })

  it('counts UTF-16 code units in UCS-2 and keeps surrogate pairs whole', () => {
    expect(countSegments('🙂'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, characters: 70 })
    // 36 emoji = 72 units: a part holds 33 whole emoji (66 units), so 2 parts.
    expect(countSegments('🙂'.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2, characters: 72 })
    expect(countSegments('a' + '🙂'.repeat(34) + 'b'.repeat(1)).characters).toBe(70)
  })
})
