import { Args } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { SHELLS, type Shell, completionScript } from '../lib/completion-scripts.js'

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print the shell completion script for bash, zsh or fish.'
  static override description = `Commands, flags, profile names (-p), and the values of --output, --grant, --flow, --storage, --provider and --region complete on TAB. Each TAB runs oauthctl __complete, which reads the config file's profile names only: no secret, no keychain, no network.`
  static override examples = [
    { description: 'bash, this shell', command: 'source <(<%= config.bin %> completion bash)' },
    { description: 'bash, every shell', command: '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/<%= config.bin %>' },
    { description: 'zsh, this shell', command: 'source <(<%= config.bin %> completion zsh)' },
    { description: 'zsh, every shell (a folder in $fpath, e.g. ~/.zfunc with fpath+=~/.zfunc before compinit)', command: '<%= config.bin %> completion zsh > ~/.zfunc/_<%= config.bin %>' },
    { description: 'fish, this shell', command: '<%= config.bin %> completion fish | source' },
    { description: 'fish, every shell', command: '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish' },
  ]
  static override args = { shell: Args.string({ description: 'The shell.', options: [...SHELLS], required: true }) }

  async run(): Promise<void> {
    const shell = this.args.shell as Shell
    this.output({ shell, script: completionScript(shell, this.config.bin) }, (r) => r.script)
  }
}
