#!/usr/bin/env node
// `npm run schemas` (after `npm run build`): writes docs/schemas/<command>.json, the JSON Schema of
// each command's --json document, from the zod schemas in src/lib/documents/json-schemas.ts, and
// removes files no document has any more. test/unit/json-schemas.test.ts fails when the committed
// files differ from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'docs', 'schemas')

let jsonSchemaFiles
try {
  ;({ jsonSchemaFiles } = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'documents', 'json-schemas.js')).href))
} catch (err) {
  console.error(`error: cannot load dist/lib/documents/json-schemas.js (${err.message}); run npm run build first`)
  process.exit(1)
}
const files = jsonSchemaFiles()
mkdirSync(OUT, { recursive: true })
for (const name of readdirSync(OUT)) if (name.endsWith('.json') && !(name in files)) rmSync(join(OUT, name))
for (const [name, text] of Object.entries(files)) writeFileSync(join(OUT, name), text)
console.error(`wrote ${Object.keys(files).length} schemas to docs/schemas/`)
