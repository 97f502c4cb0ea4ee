// A child process that writes credentials.json through the real FileStore (the built dist/), for
// the crash and multi-process tests in concurrency.test.ts.
//
//   node file-store-writer.mjs DIR loop KEY        set KEY to ever-changing values of 0.5-2 MiB, forever,
//                                                  printing "wrote N" after each set
//   node file-store-writer.mjs DIR batch PREFIX N  N concurrent sets of PREFIX-0 … PREFIX-(N-1), then exit
import { FileStore } from '../../dist/lib/storage/file.js'

const [dir, mode, name, count] = process.argv.slice(2)
const store = new FileStore(dir)

if (mode === 'loop') {
  for (let generation = 0; ; generation++) {
    const size = 512 * 1024 + ((generation * 389_017) % (1536 * 1024))
    const value = JSON.stringify({ generation, size, pad: String.fromCharCode(97 + (generation % 26)).repeat(size) })
    await store.set(name, value)
    process.stdout.write(`wrote ${generation}\n`)
  }
} else if (mode === 'batch') {
  const n = Number(count)
  await Promise.all(Array.from({ length: n }, (_, i) => store.set(`${name}-${i}`, `value-of-${name}-${i}`)))
  process.stdout.write(`done ${n}\n`)
} else {
  process.stderr.write(`unknown mode ${mode}\n`)
  process.exit(2)
}
