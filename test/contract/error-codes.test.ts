/**
 * The widget and the server share no code (the widget must not import server code into its
 * bundle), so their error vocabularies can drift apart unseen. This test is where they meet.
 */
import { describe, expect, it } from 'vitest'
import { errorStatus } from '../../server/core/errors.js'
import { serverErrorCodes, widgetErrorCodes } from '../../widget/error-codes.js'

describe('error codes: widget and server', () => {
  it('the widget knows exactly the codes the server answers with: none missing, none left over', () => {
    const server = Object.keys(errorStatus).sort()
    const widget = [...serverErrorCodes].sort()
    expect(widget).toEqual(server)
    expect(new Set(serverErrorCodes).size).toBe(serverErrorCodes.length) // no code listed twice
  })

  it('the widget’s own codes (network failure, captcha not passed) are not server codes', () => {
    expect(widgetErrorCodes.filter((code) => code in errorStatus)).toEqual([])
  })
})
