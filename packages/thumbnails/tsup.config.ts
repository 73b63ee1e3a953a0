import { libraryConfig } from '../../tools/build/tsup-library.ts';

export default libraryConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  // Inlined, so that the published package installs alone: the zod-free constants of
  // @toq/contracts and the 300-line ThumbHash encoder (ESM-only, which `require` on Node 22.0–22.11
  // could not load).
  noExternal: ['@toq/contracts', 'thumbhash'],
});
