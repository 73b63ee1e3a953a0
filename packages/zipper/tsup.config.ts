import { resolve } from 'node:path';
import type { Options } from 'tsup';
import { libraryConfig } from '../../tools/build/tsup-library.ts';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * archiver's zip chain on Node's native parts: its `crc-32` imports (CRC-32 in a JavaScript loop,
 * the zip's largest single cost) resolve to `src/native-crc32.ts` over `zlib.crc32`, and its
 * `readable-stream` imports (a userland copy of Node 18's streams, three times over) to
 * `node:stream`. Exact names only: `readable-stream/passthrough` (lazystream's v2) stays as it is.
 */
const nativeParts: EsbuildPlugin = {
  name: 'archiver-native-parts',
  setup(build) {
    build.onResolve({ filter: /^crc-32$/ }, () => ({
      path: resolve(import.meta.dirname, 'src/native-crc32.ts'),
    }));
    build.onResolve({ filter: /^readable-stream$/ }, () => ({
      path: 'node:stream',
      external: true,
    }));
  },
};

/**
 * archiver and its dependencies are bundled (so the plugin above applies to them, and their
 * licences go into dist/THIRD-PARTY-LICENSES.md): the published
 * package has no runtime dependency.
 */
export default {
  ...(libraryConfig({
    entry: ['src/index.ts'],
    noExternal: [/./],
    esbuildPlugins: [nativeParts],
  }) as Options),
  // Bundled CommonJS modules (async, lazystream…) require() Node's built-ins: give the ESM build one.
  banner: ({ format }) =>
    format === 'esm'
      ? {
          js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
        }
      : {},
} satisfies Options;
