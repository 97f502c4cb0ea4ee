import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { importCycles, importGraph } from '../helpers/import-graph.js'

const graph = importGraph(fileURLToPath(new URL('../../src', import.meta.url)))
const importsOf = (file: string): string[] => [...(graph.edges.get(file) ?? [])]

/** docs/ARCHITECTURE.md's layers, lowest first; a file may import from its own layer or below. */
const LAYERS: RegExp[] = [
  /^lib\//, // foundation: errors, redaction, files, storage, HTTP, the config schema, output
  /^lib\/(oauth|tokens|grants)\//, // the protocol core: a standard OAuth client
  /^lib\/(login|admin|documents)\//, // login flows, the admin back ends' common parts, the --json documents
  /^lib\/vendors\//, // one folder per vendor, and the registry
  /^lib\/(use-cases|integrations|sandbox)\/|^lib\/config\/(store|profiles)\.ts$/, // use cases
  /^(cli|commands|hooks|boot)\//, // the CLI
]
const layerOf = (file: string): number => LAYERS.findLastIndex((layer) => layer.test(file))

describe('the layers, read from the imports of src/', () => {
  it('finds the sources it checks (a scan that saw nothing would pass anything)', () => {
    expect(graph.files.length).toBeGreaterThan(100)
    expect(importsOf('commands/token/get.ts').length).toBeGreaterThan(0)
  })

  it('has no import cycle, type imports and dynamic imports included', () => {
    expect(importCycles(graph)).toEqual([])
  })

  it('keeps the CLI framework out of src/lib: no @oclif/core, nothing from src/cli or src/commands', () => {
    const offenders = graph.files
      .filter((file) => file.startsWith('lib/'))
      .flatMap((file) => [
        ...[...graph.packages.get(file)!].filter((pkg) => pkg.startsWith('@oclif/')).map((pkg) => `${file} -> ${pkg}`),
        ...importsOf(file).filter((to) => /^(cli|commands|hooks)\//.test(to)).map((to) => `${file} -> ${to}`),
      ])
    expect(offenders).toEqual([])
  })

  it('imports only downwards: foundation < protocol core < login flows and admin core < vendors < use cases < CLI', () => {
    const upwards = graph.files.flatMap((file) => importsOf(file).filter((to) => layerOf(to) > layerOf(file)).map((to) => `${file} -> ${to}`))
    expect(upwards).toEqual([])
  })

  it('keeps the protocol core free of vendors: nothing in lib/oauth, lib/grants, lib/http or lib/tokens imports lib/vendors', () => {
    const offenders = graph.files
      .filter((file) => /^lib\/(oauth|grants|http|tokens)\//.test(file))
      .flatMap((file) => importsOf(file).filter((to) => to.startsWith('lib/vendors/')).map((to) => `${file} -> ${to}`))
    expect(offenders).toEqual([])
  })
})

describe('the error codes', () => {
  it('lists each code once, and only codes the code base gives (the typed union is the one list)', async () => {
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { ERROR_CODES } = await import('../../src/lib/errors.js')
    const root = fileURLToPath(new URL('../../src', import.meta.url))
    const sources = graph.files.filter((file) => file !== 'lib/errors.ts').map((file) => readFileSync(join(root, file), 'utf8')).join('\n')
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
    expect(ERROR_CODES.filter((code) => !sources.includes(`'${code}'`))).toEqual([])
  })
})
