import { dirname, join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * zod's classic entry re-exports all ~50 locales as a namespace (`export * as locales`), which
 * esbuild cannot tree-shake: 260 KB of a 460 KB zod. zod registers English itself (and nothing
 * here uses another locale), so its internal `../locales/index.js` resolves to English only.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/')
        ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * The Lambda bundles' esbuild settings beyond the `bundle` target's options in project.json:
 * `.mjs` files (ESM without a package.json), a `require` for the CommonJS dependencies that
 * esbuild inlines into the ESM output, and the zod locale trim.
 */
const options: BuildOptions = {
  outExtension: { '.js': '.mjs' },
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [zodEnglishOnly],
};

export default options;
