import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ESM (`.mjs`) and CJS (`.cjs`) for Node 22, with
 * declarations for both and source maps. A package adds its entries and what it inlines.
 */
export function libraryConfig(options: Pick<Options, 'entry' | 'noExternal'>) {
  return defineConfig({
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node22',
    dts: true,
    sourcemap: true,
    clean: true,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
    ...options,
  });
}
