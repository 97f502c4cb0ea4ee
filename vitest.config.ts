import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The fast-path modules are CommonJS TypeScript (.cts): transform them like the rest.
  esbuild: { include: /\.[cm]?tsx?$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // A temporary folder of its own for the run, checked empty at the end; which suites skip here, and why.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here: more workers only make the spawned-CLI tests slower.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
})
