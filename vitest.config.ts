import { defineConfig } from 'vitest/config';

// One run over every package: `npm test` counts every test in one report, which `.ci/run` reads.
export default defineConfig({
  test: {
    projects: ['packages/*', 'tools'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
