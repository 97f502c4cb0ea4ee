#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles dist/ into the two files bin/run.js loads
// (scripts/code-cache.mjs then makes the larger one's V8 code cache; see src/boot/load-cli.cts).
//   dist/run.cjs  the cached `token get` and the loader: small, read on every call
//   dist/cli.cjs  oclif, every command and the libraries they use; commands load on first use
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(ROOT, 'dist')

// Not bundled: the native keychain module, and typescript, which oclif requires only in development.
const external = ['@napi-rs/keyring', 'typescript']

// import() does not work in the bundle (a vm.Script, see load-cli.cts): our ESM-only packages are
// reached through src/lib/esm-import.cts, kept a real module file, and so are the ESM plugins
// oclif's module loader imports (none is installed today).
const ESM_IMPORT = 'oauthctl:esm-import'
const OCLIF_MODULE_LOADER = /@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/
const esmImport = {
  name: 'esm-import',
  setup(b) {
    b.onResolve({ filter: /esm-import\.cjs$|^oauthctl:esm-import$/ }, () => ({ path: './lib/esm-import.cjs', external: true }))
    b.onLoad({ filter: OCLIF_MODULE_LOADER }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      const patched = source.replaceAll('await import(', `await require(${JSON.stringify(ESM_IMPORT)}).importEsm(`)
      if (patched.split('importEsm(').length - 1 !== 3) throw new Error(`${args.path}: expected 3 import() calls to route through importEsm; oclif changed, review scripts/bundle.mjs`)
      return { contents: patched, loader: 'js' }
    })
  },
}
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, logLevel: 'warning', plugins: [esmImport] }

/** Command ids from dist/commands (token/get.js → token:get), as oclif names them. */
function commandFiles(dir = join(DIST, 'commands')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return commandFiles(path)
    return entry.name.endsWith('.js') ? [path] : []
  })
}

// oclif's "explicit" command discovery reads COMMANDS; each getter loads its command only when asked.
const getters = commandFiles()
  .sort()
  .map((file) => {
    const id = relative(join(DIST, 'commands'), file).replace(/\.js$/, '').split('/').join(':')
    return `  get ${JSON.stringify(id)}() { return require(${JSON.stringify(`./${relative(DIST, file)}`)}).default },`
  })
// oclif hooks (package.json oclif.hooks: target dist/cli.cjs, identifier hook:NAME) from dist/hooks/NAME.js, loaded when run.
const hooks = readdirSync(join(DIST, 'hooks'))
  .filter((file) => file.endsWith('.js'))
  .map((file) => `exports[${JSON.stringify(`hook:${file.replace(/\.js$/, '')}`)}] = function (options) { return require(${JSON.stringify(`./hooks/${file}`)}).default.call(this, options) }`)
// The help class (package.json oclif.helpClass: identifier HELP), loaded when help is shown.
const help = `Object.defineProperty(exports, 'HELP', { enumerable: true, get: () => require('./cli/help.js').OauthctlHelp })`
const entry = `exports.execute = require('@oclif/core').execute\nexports.COMMANDS = {\n${getters.join('\n')}\n}\n${hooks.join('\n')}\n${help}\n`

/** Build, and refuse an import() of a module left outside the bundle: it would fail at run time. */
async function bundle(options) {
  const { metafile } = await build({ ...common, ...options, metafile: true })
  const dynamic = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && i.kind === 'dynamic-import').map((i) => i.path))
  if (dynamic.length) throw new Error(`import() of ${dynamic.join(', ')} in ${options.outfile}: use a static import, or importEsm (src/lib/esm-import.cts) for an ESM-only package`)
}

await bundle({ stdin: { contents: entry, resolveDir: DIST, sourcefile: 'cli-entry.cjs', loader: 'js' }, outfile: join(DIST, 'cli.cjs') })
await bundle({ entryPoints: [join(DIST, 'boot', 'main.cjs')], outfile: join(DIST, 'run.cjs') })

process.stderr.write(`bundled ${getters.length} commands into dist/cli.cjs\n`)
