import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** Every relative import in a source tree (static, `import type`, dynamic `import()`, `require()`), as edges between files. */
export interface ImportGraph {
  files: string[]
  edges: Map<string, Set<string>>
  /** Bare specifiers each file imports (packages), to check which layer may use which library. */
  packages: Map<string, Set<string>>
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(c|m)?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** `./x.js` written in TypeScript sources names `./x.ts` (or `.cts` for `.cjs`). */
function resolveSource(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier)
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.cjs$/, '.cts'), target.replace(/\.mjs$/, '.mts'), target, `${target}.ts`]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

export function importGraph(root: string): ImportGraph {
  const files = sourceFiles(root).map((f) => relative(root, f)).sort()
  const edges = new Map<string, Set<string>>()
  const packages = new Map<string, Set<string>>()
  for (const file of files) {
    const abs = join(root, file)
    const text = readFileSync(abs, 'utf8')
    const to = new Set<string>()
    const libs = new Set<string>()
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[2]!
      if (specifier.startsWith('.')) {
        const target = resolveSource(abs, specifier)
        if (target) to.add(relative(root, target))
      } else {
        libs.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!)
      }
    }
    edges.set(file, to)
    packages.set(file, libs)
  }
  return { files, edges, packages }
}

/** Strongly connected components of more than one file (or a file importing itself): the import cycles. */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0
  const stack: string[] = []
  const onStack = new Set<string>()
  const indexOf = new Map<string, number>()
  const low = new Map<string, number>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    indexOf.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!))
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || graph.edges.get(v)?.has(v)) cycles.push(component.sort())
    }
  }
  for (const file of graph.files) if (!indexOf.has(file)) visit(file)
  return cycles
}
