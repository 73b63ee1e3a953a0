import type { Options } from 'tsup';
import { libraryConfig } from '../../tools/build/tsup-library.ts';

export default {
  ...(libraryConfig({
    entry: ['src/index.ts', 'src/cli.ts'],
    // Inlined, so that the published package installs alone: the zod-free constants and
    // `describeValue` of @toq/contracts, the 300-line ThumbHash encoder and p-limit (with
    // yocto-queue). The last two are ESM-only: `require` on Node 22.0–22.11 could not load them,
    // and from 22.12 `require(esm)` gives the CommonJS build p-limit's namespace, whose `default`
    // esbuild's interop does not unwrap (`pLimit` would not be a function).
    noExternal: ['@toq/contracts', 'thumbhash', 'p-limit'],
  }) as Options),
  // `import.meta.url` in the CommonJS build too: the HEIC worker resolves heic-decode from it.
  shims: true,
  // The declarations too: `RenditionSize` is @toq/contracts' own type, and resolving its module to
  // the sources (rather than to the package, which stays an external import) copies its
  // declaration into dist/index.d.ts, so the published types need no @toq/contracts either.
  dts: {
    compilerOptions: { paths: { '@toq/contracts/constants': ['../contracts/src/constants.ts'] } },
  },
} satisfies Options;
