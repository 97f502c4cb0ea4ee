import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('@inquirer/prompts', () => ({ confirm: vi.fn() }))

const { confirm } = await import('@inquirer/prompts')
const { confirmChange } = await import('../../src/cli/admin.js')
type Rt = Parameters<typeof confirmChange>[0]

const ask = vi.mocked(confirm)
const rt = (env: NodeJS.ProcessEnv = {}) => ({ env }) as unknown as Rt
const failure = (p: Promise<unknown>) => p.then(() => ({ exitCode: 0, code: 'none' }), (err: { exitCode: number; code: string }) => ({ exitCode: err.exitCode, code: err.code }))

let wasTty: boolean | undefined
beforeEach(() => {
  wasTty = process.stdin.isTTY
  ask.mockReset()
})
afterEach(() => {
  Object.defineProperty(process.stdin, 'isTTY', { value: wasTty, configurable: true })
})
const terminal = (isTty: boolean) => Object.defineProperty(process.stdin, 'isTTY', { value: isTty, configurable: true })

describe('confirmChange', () => {
  it('--yes goes ahead without asking', async () => {
    terminal(true)
    await confirmChange(rt(), true, 'Delete?')
    expect(ask).not.toHaveBeenCalled()
  })

  it('needs --yes when stdin is not a terminal, or CI is set (exit 2)', async () => {
    terminal(false)
    expect(await failure(confirmChange(rt(), false, 'Delete?'))).toEqual({ exitCode: 2, code: 'confirmation_required' })
    terminal(true)
    expect(await failure(confirmChange(rt({ CI: '1' }), false, 'Delete?'))).toEqual({ exitCode: 2, code: 'confirmation_required' })
    expect(ask).not.toHaveBeenCalled()
  })

  it('asks on the terminal (prompt on stderr); no means nothing changes (exit 2)', async () => {
    terminal(true)
    ask.mockResolvedValueOnce(true)
    await confirmChange(rt(), false, 'Delete client x?')
    expect(ask).toHaveBeenCalledWith({ message: 'Delete client x?', default: false }, { output: process.stderr })
    ask.mockResolvedValueOnce(false)
    expect(await failure(confirmChange(rt(), false, 'Delete client x?'))).toEqual({ exitCode: 2, code: 'not_confirmed' })
  })

  it('Ctrl-C at the prompt is an interruption (130)', async () => {
    terminal(true)
    ask.mockRejectedValueOnce(Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' }))
    expect(await failure(confirmChange(rt(), false, 'Delete?'))).toEqual({ exitCode: 130, code: 'interrupted' })
  })
})
