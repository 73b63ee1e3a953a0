import { defineProject } from 'vitest/config';

// Tests of the workspace itself: the project graph, CI's script, the root README's promises.
export default defineProject({
  test: {
    name: 'workspace',
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
});
