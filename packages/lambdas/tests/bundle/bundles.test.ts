import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  mkdirSync,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoRenditionsResult, parse, rawKey, renditionKey, zipKey } from '@toq/contracts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { itemStateKey } from '../../src/domain/state-keys.ts';
import {
  installNativePackages,
  nativePackages,
  readMetafile,
} from '../../scripts/package-functions.ts';
import { createTestBucket, localS3Client, s3FunctionEnv } from '../setup/aws.ts';
import { unzip } from '../setup/unzip.ts';
import { FUNCTION_ENV } from './function-env.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const PROJECT = join(import.meta.dirname, '../..');
const WORKSPACE = join(PROJECT, '../..');
const DIST = join(PROJECT, 'dist');
const NODE = join(WORKSPACE, 'node_modules/.bin/node');
/** Preloaded into a child that reaches fauxqs: `*.localhost` resolves to 127.0.0.1 there. */
const LOCALHOST_DNS = pathToFileURL(join(PROJECT, 'tests/setup/localhost-dns.ts')).href;
/** Every handler is one function, one bundle. */
const FUNCTIONS = readdirSync(join(PROJECT, 'src/handlers'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'));
const MAX_BUNDLE_BYTES = 500 * 1024;
/** ELF `e_machine` values. */
const EM_AARCH64 = 183;
const EM_X86_64 = 62;

function elfMachine(file: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => join(dir, file));
}

/**
 * What the Lambda nodejs24.x runtime documents as provided: the `@aws-sdk/client-*` packages
 * (the workspace's copies stand in), linked into `asset/node_modules`. Nothing else of the SDK.
 */
function linkRuntimeClients(asset: string): string[] {
  const sdk = join(WORKSPACE, 'node_modules', '@aws-sdk');
  const clients = readdirSync(sdk).filter((name) => name.startsWith('client-'));
  mkdirSync(join(asset, 'node_modules', '@aws-sdk'), { recursive: true });
  for (const name of clients) {
    symlinkSync(join(sdk, name), join(asset, 'node_modules', '@aws-sdk', name));
  }
  return clients;
}

/** The bare `@aws-sdk/...` specifiers a bundle imports or requires. */
function sdkImports(code: string): string[] {
  return [...new Set([...code.matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((m) => m[1] ?? ''))];
}

/**
 * Runs `script` (ESM) on the project's Node 24 with the functions' environment. With
 * `localhostDns`, `tests/setup/localhost-dns.ts` is preloaded (`--import`), so a bundle keeping
 * the SDK's defaults reaches fauxqs on `http://s3.localhost:PORT` (see `s3FunctionEnv`); the
 * bundle itself is loaded as Lambda loads it.
 */
function runNode(
  script: string,
  env: Record<string, string> = {},
  options: { localhostDns?: boolean } = {},
): string {
  const preload = options.localhostDns ? ['--import', LOCALHOST_DNS] : [];
  return execFileSync(NODE, [...preload, '--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', ...FUNCTION_ENV, ...env },
    encoding: 'utf8',
  });
}

beforeAll(() => {
  // The real build (cached by Nx when nothing changed): bundle, lay out, install native packages.
  try {
    execFileSync(
      join(WORKSPACE, 'node_modules/.bin/nx'),
      ['run', 'lambdas:build', '--output-style=static'],
      {
        cwd: WORKSPACE,
        stdio: 'pipe',
        env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
      },
    );
  } catch (error) {
    // Say why: the build's own output (another build of the same project writing dist/ at the
    // same time is the usual cause on a shared machine).
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    const output = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.split('\n').slice(-40);
    throw new Error(`nx run lambdas:build failed:\n${output.join('\n')}`, { cause: error });
  }
}, 300_000);

describe('nx run lambdas:build', () => {
  it('bundles the seven functions the stack deploys', () => {
    expect([...FUNCTIONS].sort()).toEqual(
      ['callback', 'consolidate', 'start', 'thumbnails', 'transcode', 'validate', 'zip'].sort(),
    );
  });

  it.each(FUNCTIONS)(
    'writes dist/%s/index.mjs, an ESM module exporting handler, with its source map',
    (fn) => {
      // Act
      const exported = runNode(
        `const m = await import(${JSON.stringify(join(DIST, fn, 'index.mjs'))}); console.log(Object.keys(m).join(','), typeof m.handler);`,
      );

      // Assess
      expect(exported.trim()).toBe('handler function');
      expect(existsSync(join(DIST, fn, 'index.mjs.map'))).toBe(true);
    },
  );

  it.each(FUNCTIONS)(
    'loads dist/%s/index.mjs without undici (an ESM import of node:http would load it)',
    (fn) => {
      // Act
      const loaded = runNode(
        `await import(${JSON.stringify(join(DIST, fn, 'index.mjs'))}); console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))));`,
      );

      // Assess
      expect(JSON.parse(loaded)).toEqual([]);
    },
  );

  it.each(FUNCTIONS)('keeps dist/%s/index.mjs under 500 KB', (fn) => {
    expect(statSync(join(DIST, fn, 'index.mjs')).size).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it('imports only the @aws-sdk/client-* packages the runtime provides, and installs none', async () => {
    // Act
    const imports = new Map<string, string[]>();
    for (const fn of FUNCTIONS) {
      imports.set(fn, sdkImports(await readFile(join(DIST, fn, 'index.mjs'), 'utf8')).sort());
    }

    // Assess: lib-storage (and what it needs of @smithy) is inside the bundles
    expect(Object.fromEntries(imports)).toEqual({
      callback: ['@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager'],
      consolidate: ['@aws-sdk/client-s3'],
      start: ['@aws-sdk/client-s3', '@aws-sdk/client-sfn', '@aws-sdk/client-sqs'],
      thumbnails: ['@aws-sdk/client-s3'],
      transcode: [],
      validate: ['@aws-sdk/client-s3'],
      zip: ['@aws-sdk/client-s3'],
    });
    for (const fn of FUNCTIONS) {
      expect(filesUnder(join(DIST, fn)).some((file) => file.includes('@aws-sdk'))).toBe(false);
    }
  });

  it("ships sharp's linux-arm64 binding and libvips (and no other architecture) beside the thumbnails bundle, sharp's JavaScript inside it", () => {
    // Prepare
    const modules = join(DIST, 'thumbnails', 'node_modules');
    const binaries = filesUnder(modules).filter((file) => /\.node$|\.so(\.\d+)*$/.test(file));

    // Assess
    expect(readdirSync(modules).sort()).toEqual(['@img', 'heic-decode', 'libheif-js']);
    expect(readdirSync(join(modules, '@img')).sort()).toEqual([
      'sharp-libvips-linux-arm64',
      'sharp-linux-arm64',
    ]);
    expect(binaries.map((file) => basename(file)).sort()).toEqual([
      expect.stringMatching(/^libvips-cpp\.so\.[\d.]+$/),
      expect.stringMatching(/^sharp-linux-arm64(-[\d.]+)?\.node$/),
    ]);
    for (const file of binaries) expect(elfMachine(file)).toBe(EM_AARCH64);
    expect(filesUnder(modules).some((file) => /x64|darwin|win32|musl/.test(basename(file)))).toBe(
      false,
    );
  });
});

describe("the zip bundle, beside the runtime's @aws-sdk/client-* only", () => {
  let asset: string;

  beforeAll(() => {
    asset = mkdtempSync(join(tmpdir(), 'toq-zip-bundle-'));
    cpSync(join(DIST, 'zip', 'index.mjs'), join(asset, 'index.mjs'));
    linkRuntimeClients(asset);
  });

  afterAll(() => {
    rmSync(asset, { recursive: true, force: true });
  });

  it('streams a two-part multipart zip to S3 with its bundled lib-storage', async () => {
    // Prepare: 12 MiB of incompressible media, more than one 8 MiB part
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    const store = new S3ObjectStore(client, bucket);
    const listingId = '3a6f5e2d-8c1b-4a7e-9f0d-2b4c6e8a1d3f';
    const ctx = { listingId, requestId: 'bundle', executionName: `${listingId}_bundle` };
    const media = new Map<string, Buffer>();
    for (const mediaId of [
      'c3000000-0000-4000-8000-000000000003',
      'd4000000-0000-4000-8000-000000000004',
    ]) {
      const bytes = randomBytes(6 * 1024 * 1024);
      const key = renditionKey({
        listingId,
        mediaType: 'video',
        size: 'large',
        mediaId,
        ext: 'mp4',
      });
      await store.put(key, bytes, { contentType: 'video/mp4' });
      media.set(`video/large/${mediaId}.mp4`, bytes);
    }

    // Act
    const output = runNode(
      `const { handler } = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(JSON.stringify(await handler(${JSON.stringify({ ctx })})));`,
      s3FunctionEnv(bucket),
      { localhostDns: true },
    );

    // Assess
    const head = await store.head(zipKey(listingId));
    expect(JSON.parse(output)).toEqual({ key: zipKey(listingId), bytes: head?.size, entries: 2 });
    expect(head?.etag).toMatch(/-2"?$/);
    const sha256 = (entries: Map<string, Buffer>) =>
      Object.fromEntries(
        [...entries].map(([path, bytes]) => [
          path,
          createHash('sha256').update(bytes).digest('hex'),
        ]),
      );
    expect(sha256(await unzip(await store.getBuffer(zipKey(listingId))))).toEqual(sha256(media));
  });
});

describe('the thumbnails bundle, built for linux-x64', () => {
  let asset: string;

  beforeAll(() => {
    // The same index.mjs, with the native packages installed for this machine's architecture,
    // and the runtime's @aws-sdk/client-* packages beside it.
    asset = mkdtempSync(join(tmpdir(), 'toq-thumbnails-x64-'));
    cpSync(join(DIST, 'thumbnails', 'index.mjs'), join(asset, 'index.mjs'));
    const packages = nativePackages(readMetafile()).get('thumbnails');
    if (packages === undefined) throw new Error('The build has no thumbnails bundle');
    installNativePackages(asset, packages, { cpu: 'x64' });
    linkRuntimeClients(asset);
  }, 120_000);

  afterAll(() => {
    rmSync(asset, { recursive: true, force: true });
  });

  it('loads and renders a photo on this machine, from and to S3', async () => {
    // Prepare
    const x64 = filesUnder(join(asset, 'node_modules/@img')).filter((f) => f.endsWith('.node'));
    expect(x64.map((file) => elfMachine(file))).toEqual([EM_X86_64]);
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    const store = new S3ObjectStore(client, bucket);
    const ctx = {
      listingId: '6bd27fb8-7e6d-4cde-9a07-cfcd8adf0276',
      requestId: 'bundle',
      executionName: 'x',
    };
    const mediaId = '7ce380c9-8f7e-4def-8b18-d0de9bef1387';
    await store.put(
      rawKey({ listingId: ctx.listingId, mediaType: 'photo', mediaId, ext: 'jpg' }),
      await readFile(fixturePath('exif-orientation', 'Portrait_8.jpg')),
      { contentType: 'image/jpeg' },
    );
    const event = { ctx, mediaType: 'photo', mediaId, ext: 'jpg' };

    // Act
    const output = runNode(
      `const { handler } = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(JSON.stringify(await handler(${JSON.stringify(event)})));`,
      s3FunctionEnv(bucket),
      { localhostDns: true },
    );

    // Assess
    expect(JSON.parse(output)).toEqual({ mediaId, status: 'succeeded' });
    const result = parse(
      PhotoRenditionsResult,
      JSON.parse((await store.getBuffer(itemStateKey(ctx, mediaId))).toString()),
    );
    const large = result.renditions.find((r) => r.size === 'large');
    const meta = await sharp(await store.getBuffer(large?.key ?? '')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1200, 1800]);
  });
});
