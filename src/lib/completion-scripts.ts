/**
 * The shell scripts `oauthctl completion SHELL` prints. Each is a thin adapter: it hands the words
 * typed so far to `oauthctl __complete -- WORDS...` (after `--`, so a typed `--help` is a word, not
 * a request for help) and turns its lines back into the shell's candidates. The lines are
 * `value<TAB>description`, then `:default` (let the shell complete files) or `:done`.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

export function completionScript(shell: Shell, bin: string): string {
  return SCRIPTS[shell](bin)
}

const SCRIPTS: Record<Shell, (bin: string) => string> = {
  // bash 4+. COMP_WORDBREAKS splits `--flag=value` at "=": the pieces are joined back, and since
  // bash replaces only the text after the "=", candidates lose their `--flag=` part.
  bash: (bin) => `# bash completion for ${bin}
# This shell: source <(${bin} completion bash)
# Every shell: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}
_${bin}() {
  local words=() word line last shell_default= i n
  for ((i = 1; i <= COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    n=\${#words[@]}
    if ((n > 0)) && [[ $word == = || \${words[n - 1]} == --*= ]]; then
      words[n - 1]+=$word
    else
      words+=("$word")
    fi
  done
  last=\${words[\${#words[@]} - 1]}
  COMPREPLY=()
  while IFS= read -r line; do
    case $line in
      :default) shell_default=1 ;;
      :*) ;;
      *)
        line=\${line%%$'\\t'*}
        [[ $last == --*=* ]] && line=\${line#*=}
        COMPREPLY+=("$line")
        ;;
    esac
  done < <(command ${bin} __complete -- "\${words[@]}" 2>/dev/null)
  if [[ -n $shell_default ]]; then compopt -o default 2>/dev/null; fi
  return 0
}
complete -F _${bin} ${bin}
`,

  zsh: (bin) => `#compdef ${bin}
# zsh completion for ${bin}
# This shell: source <(${bin} completion zsh)
# Every shell: ${bin} completion zsh > "\${fpath[1]}/_${bin}" (a folder in $fpath; then start a new shell)
_${bin}() {
  local -a lines entries
  local line shell_default
  lines=("\${(@f)$(command ${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${lines[@]}"; do
    case $line in
      (:default) shell_default=1 ;;
      (:*) ;;
      (*$'\\t'*) entries+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}") ;;
      (?*) entries+=("\${line//:/\\\\:}") ;;
    esac
  done
  if (( \${#entries} )); then
    _describe -t values ${bin} entries
  elif [[ -n $shell_default ]]; then
    _default
  fi
}
if [[ "\${funcstack[1]}" == _${bin} ]]; then
  _${bin} "$@"
else
  compdef _${bin} ${bin}
fi
`,

  // fish shows `value<TAB>description` as it is.
  fish: (bin) => `# fish completion for ${bin}
# This shell: ${bin} completion fish | source
# Every shell: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish
function __${bin}_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    for line in (command ${bin} __complete -- $words 2>/dev/null)
        switch $line
            case :default
                __fish_complete_path (commandline -ct)
            case ':*'
            case '*'
                printf '%s\\n' $line
        end
    end
end
complete -c ${bin} -f -a '(__${bin}_complete)'
`,
}
