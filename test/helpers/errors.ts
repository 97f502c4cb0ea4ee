import type { CliError } from '../../src/lib/errors.js'

/** The error a synchronous call throws; fails the test when it throws nothing. */
export const thrown = (fn: () => unknown): CliError => {
  try {
    fn()
  } catch (err) {
    return err as CliError
  }
  throw new Error('expected an error')
}
