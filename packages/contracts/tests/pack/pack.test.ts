import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  installPackedPackage,
  itIsCleanForPublishing,
  type ScratchProject,
} from '../../../../tools/testing/pack.ts';
import { expectPrinted, typescriptExamples } from '../support/readme';

const packageDir = resolve(import.meta.dirname, '../..');

describe('the packed @toq/contracts tarball', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    project = await installPackedPackage(packageDir);
    // The README's webhook example verifies the signature with it, as a backend would.
    await promisify(execFile)(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', 'standardwebhooks@1.1.1'],
      { cwd: project.dir },
    );
  }, 300_000);

  itIsCleanForPublishing(packageDir, '@toq/contracts/constants');

  it('builds and parses keys through require() on Node 22', async () => {
    const { stdout } = await project.runScript(
      'use.cjs',
      `const { rawKey, parseMediaKey, zipKey, executionName, ContractError } = require('@toq/contracts');
       const key = rawKey({ listingId: '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F', mediaType: 'photo',
         mediaId: '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10', ext: 'HEIC' });
       let code; try { rawKey({ listingId: '..', mediaType: 'photo', mediaId: 'x', ext: 'jpg' }) } catch (e) { code = e instanceof ContractError && e.code }
       const slug = parseMediaKey(zipKey('Maison-rue-1_b')).listingId;
       const name = executionName('Maison-rue-1_b', 'req-1');
       console.log(JSON.stringify({ node: process.versions.node, key, kind: parseMediaKey(key).kind, code, slug, name }));`,
    );
    const out = JSON.parse(stdout);
    expect(out.node).toMatch(/^22\./);
    expect(out).toMatchObject({
      key: '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f/raw/photo/0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10.heic',
      kind: 'raw',
      code: 'INVALID_INPUT',
      slug: 'Maison-rue-1_b',
      name: expect.stringMatching(/^_Maison-rue-1_b_req-1_[0-9a-f]{24}$/),
    });
  });

  it('validates a message through import on Node 22', async () => {
    const { stdout } = await project.runScript(
      'use.mjs',
      `import { parse, ProcessingRequest, safeParse } from '@toq/contracts';
       const ok = parse(ProcessingRequest, { schemaVersion: 1, requestId: 'req-1',
         listingId: '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f',
         media: [{ mediaId: '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10', mediaType: 'video', ext: 'MOV' }],
         callback: { url: 'https://backend.example.com/hooks/media' } });
       const bad = safeParse(ProcessingRequest, { schemaVersion: 2, media: [] });
       console.log(JSON.stringify({ ext: ok.media[0].ext, paths: bad.ok ? [] : bad.error.issues.map(i => i.path) }));`,
    );
    const out = JSON.parse(stdout);
    expect(out.ext).toBe('mov');
    expect(out.paths).toEqual(
      expect.arrayContaining(['schemaVersion', 'requestId', 'listingId', 'media', 'callback']),
    );
  });

  it('ships the JSON Schemas, loadable through require() and import on Node 22', async () => {
    const { stdout } = await project.runScript(
      'schemas.mjs',
      `import { createRequire } from 'node:module';
       import { jsonSchema, JSON_SCHEMA_NAMES } from '@toq/contracts';
       import webhook from '@toq/contracts/schemas/webhook-payload.json' with { type: 'json' };
       const require = createRequire(import.meta.url);
       const request = require('@toq/contracts/schemas/processing-request.json');
       const same = JSON_SCHEMA_NAMES.every((name) =>
         JSON.stringify(require(\`@toq/contracts/schemas/\${name}.json\`)) === JSON.stringify(jsonSchema(name)));
       console.log(JSON.stringify({ request: request.title, draft: request.$schema, id: request.$id, webhook: webhook.title, same }));`,
    );
    const { version } = JSON.parse(await readFile(resolve(packageDir, 'package.json'), 'utf8'));
    expect(JSON.parse(stdout)).toEqual({
      request: 'ProcessingRequest',
      draft: 'https://json-schema.org/draft/2020-12/schema',
      id: `https://unpkg.com/@toq/contracts@${version}/schemas/processing-request.json`,
      webhook: 'WebhookPayload',
      same: true,
    });
  });

  it('require()s a schema from CommonJS', async () => {
    const { stdout } = await project.runScript(
      'schema.cjs',
      `const schema = require('@toq/contracts/schemas/processing-request.json');
       console.log(schema.required.join(','));`,
    );
    expect(stdout.trim()).toBe('schemaVersion,requestId,listingId,media,callback');
  });

  it.each(typescriptExamples().map((example) => [example.file, example] as const))(
    'runs the README example %s on Node 22 and prints what the README says',
    async (file, example) => {
      const { stdout } = await project.runScript(file, example.code);
      expectPrinted(stdout, example.expected);
    },
  );
});
