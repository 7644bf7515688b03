// The one reader of environment variables: what tells an environment from misplaced options.
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../core/errors.js'
import { assertEnvironmentVariables, isProduction } from './env.js'

describe('assertEnvironmentVariables', () => {
  it('a Worker env with bindings (objects) passes; an option name in it is refused, naming the option', () => {
    const binding = { idFromName() {}, get() {} }
    expect(() =>
      assertEnvironmentVariables({ TWO_FACTOR_STORE: binding, SMS_PROVIDER: 'console' }, false),
    ).not.toThrow()
    expect(() => assertEnvironmentVariables({ audience: 'shop.example' }, false)).toThrow(ConfigurationError)
    expect(() => assertEnvironmentVariables({ audience: 'shop.example' }, false)).toThrow(/"audience"/)
  })

  it('process variables are all strings: an object or a function among them is an option, refused', () => {
    expect(() => assertEnvironmentVariables({ PATH: '/usr/bin', HOME: undefined }, true)).not.toThrow()
    expect(() => assertEnvironmentVariables({ clock: () => 0 }, true)).toThrow(/"clock"/)
  })
})

describe('isProduction', () => {
  it('Node: only NODE_ENV=production; Workers: everything but ENVIRONMENT (or NODE_ENV) = development', () => {
    expect(
      [{}, { NODE_ENV: 'production' }, { NODE_ENV: 'test' }].map((vars) => isProduction(vars, 'node')),
    ).toEqual([false, true, false])
    expect(
      [{}, { ENVIRONMENT: 'development' }, { NODE_ENV: 'development' }, { ENVIRONMENT: 'staging' }].map(
        (vars) => isProduction(vars, 'workers'),
      ),
    ).toEqual([true, false, false, true])
  })
})
