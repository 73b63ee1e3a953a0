import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Writes `dist/THIRD-PARTY-LICENSES.md` when the bundle inlines npm packages: name, version,
 * license and license text of each, so the published package carries the notices their licences
 * ask for.
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
      if (roots.size === 0) return;
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
      const { name } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string };
      mkdirSync('dist', { recursive: true });
      writeFileSync(
        'dist/THIRD-PARTY-LICENSES.md',
        `# Third-party code bundled in ${name}\n\n${[...new Set(sections)].join('\n')}`,
      );
    });
  },
};

/**
 * The build every published package shares: ESM (`.mjs`) and CJS (`.cjs`) for Node 22, with
 * declarations for both and source maps. A package adds its entries, what it inlines and any
 * esbuild plugin of its own; the licences of inlined npm packages are written beside the bundle.
 */
export function libraryConfig(options: Pick<Options, 'entry' | 'noExternal' | 'esbuildPlugins'>) {
  return defineConfig({
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node22',
    dts: true,
    sourcemap: true,
    clean: true,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
    ...options,
    esbuildPlugins: [...(options.esbuildPlugins ?? []), thirdPartyLicenses],
  });
}
