import { defineProject, mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test settings every package shares. Workspace packages resolve to their TypeScript sources
 * through the `@toq/source` export condition, so tests never need a prior build (pack tests,
 * which exercise the built tarball, are the exception and build it themselves).
 */
export function packageTestConfig(name: string, overrides: ViteUserConfig = {}) {
  return mergeConfig(
    defineProject({
      resolve: { conditions: ['@toq/source', 'module', 'node', 'import', 'default'] },
      ssr: { resolve: { conditions: ['@toq/source', 'module', 'node', 'import', 'default'] } },
      test: {
        name,
        include: ['tests/**/*.test.ts'],
        environment: 'node',
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    }),
    overrides,
  );
}
