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

const STREAM_CLASSES: Readonly<Record<string, string>> = {
  passthrough: 'PassThrough',
  transform: 'Transform',
  writable: 'Writable',
  duplex: 'Duplex',
  readable: 'Readable',
};

/**
 * archiver's dependencies bring five copies of `readable-stream` (v2, v3 and v4: 260 KB), the
 * userland mirror of Node's own streams. Node 24 has them built in, so every copy resolves to
 * `node:stream` (which carries `Readable`, `Transform`, `PassThrough`… as readable-stream does),
 * and its subpath modules (`readable-stream/passthrough`) to the one class.
 */
const nodeStreams: Plugin = {
  name: 'readable-stream-as-node-stream',
  setup(build) {
    build.onResolve({ filter: /^readable-stream(\/[a-z]+(\.js)?)?$/ }, (args) => ({
      path: args.path,
      namespace: 'node-stream',
    }));
    build.onLoad({ filter: /.*/, namespace: 'node-stream' }, (args) => {
      const sub = args.path.split('/')[1]?.replace(/\.js$/, '');
      const name = sub === undefined ? undefined : STREAM_CLASSES[sub];
      if (sub !== undefined && name === undefined) {
        return { errors: [{ text: `No node:stream equivalent for "${args.path}"` }] };
      }
      return {
        contents:
          name === undefined
            ? "module.exports = require('node:stream');"
            : `module.exports = require('node:stream').${name};`,
        loader: 'js',
      };
    });
  },
};

/**
 * `@aws-sdk/lib-storage` is bundled (the Lambda runtime documents only the `@aws-sdk/client-*`
 * packages as provided). Its `main` is CommonJS, which `require`s `@smithy/core/endpoints` and
 * `@smithy/core/protocols`; esbuild resolves those to their ESM builds (the `module` condition)
 * and, required from CommonJS, must keep both whole (~110 KB) for the three functions it uses. Its
 * ESM build (`module`) imports them instead, so esbuild keeps only what `Upload` uses.
 */
const libStorageEsm: Plugin = {
  name: 'lib-storage-esm',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/lib-storage$/ }, async (args) => {
      if (args.pluginData?.libStorageEsm === true) return undefined; // the resolve just below
      const main = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { libStorageEsm: true },
      });
      if (main.errors.length > 0) return { errors: main.errors };
      return { path: join(main.path, '../../dist-es/index.js') };
    });
  },
};

/**
 * The runtime's SDK clients are loaded with `require`, not `import`: they are CommonJS files in
 * packages without a `"type"`, so an ESM `import` makes Node parse `client-s3`'s 0.5 MB a second
 * time to detect its format (`detectModuleFormat`, ~4 % of the client's load). `require` goes
 * straight to the CommonJS loader, which also honours the runtime's `NODE_PATH`.
 */
const runtimeClientsByRequire: Plugin = {
  name: 'runtime-clients-by-require',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/client-[a-z0-9-]+$/ }, (args) =>
      args.namespace === 'runtime-client'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'runtime-client' },
    );
    build.onLoad({ filter: /.*/, namespace: 'runtime-client' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The Lambda bundles' esbuild settings beyond the `bundle` target's options in project.json:
 * `.mjs` files (ESM without a package.json), a `require` for the CommonJS dependencies that
 * esbuild inlines into the ESM output, and three size trims (zod's locales, readable-stream,
 * lib-storage's ESM build).
 */
const options: BuildOptions = {
  outExtension: { '.js': '.mjs' },
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [zodEnglishOnly, nodeStreams, libStorageEsm, runtimeClientsByRequire],
};

export default options;
