import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node22',
  dts: true,
  sourcemap: true,
  clean: true,
  // Inlined, so that the published package installs alone: the zod-free constants of
  // @toq/contracts and the 300-line ThumbHash encoder (ESM-only, which `require` on Node 22.0–22.11
  // could not load).
  noExternal: ['@toq/contracts', 'thumbhash'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
});
