import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
 * Writes `dist/THIRD-PARTY-LICENSES.md`: name, version, license and license text of every npm
 * package the bundle contains (archiver and its dependencies: MIT, ISC, Apache-2.0, BlueOak).
 */
const thirdPartyLicenses: EsbuildPlugin = {
  name: 'third-party-licenses',
  setup(build) {
    build.onEnd(({ metafile }) => {
      const roots = new Set<string>();
      for (const input of Object.keys(metafile?.inputs ?? {})) {
        const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (match?.[1] !== undefined) roots.add(match[1]);
      }
      const sections = [...roots].sort().map((root) => {
        const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
          name: string;
          version: string;
          license: string;
        };
        const file = readdirSync(root).find((name) => /^licen[cs]e/i.test(name));
        const text = file === undefined ? '' : readFileSync(join(root, file), 'utf8').trim();
        return `## ${manifest.name} ${manifest.version} (${manifest.license})\n\n${text}\n`;
      });
      const unique = [...new Set(sections)];
      mkdirSync('dist', { recursive: true });
      writeFileSync(
        'dist/THIRD-PARTY-LICENSES.md',
        `# Third-party code bundled in @toq/zipper\n\n${unique.join('\n')}`,
      );
    });
  },
};

/**
 * archiver and its dependencies are bundled (so the plugin above applies to them): the published
 * package has no runtime dependency.
 */
export default {
  ...(libraryConfig({ entry: ['src/index.ts'], noExternal: [/./] }) as Options),
  esbuildPlugins: [nativeParts, thirdPartyLicenses],
  // Bundled CommonJS modules (async, lazystream…) require() Node's built-ins: give the ESM build one.
  banner: ({ format }) =>
    format === 'esm'
      ? {
          js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
        }
      : {},
} satisfies Options;
