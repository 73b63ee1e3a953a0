import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  arethetypeswrong,
  installPackedPackage,
  publint,
  type ScratchProject,
} from '../../../../tools/testing/pack.ts';

const packageDir = resolve(import.meta.dirname, '../..');

describe('the packed @toq/contracts tarball', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    project = await installPackedPackage(packageDir);
  }, 300_000);

  it('is clean under publint --strict', async () => {
    const { stdout } = await publint(packageDir);
    expect(stdout).not.toMatch(/warning|error|suggestion/i);
  });

  it('has types that resolve from CJS, ESM and bundlers (attw exits 0)', async () => {
    const { stdout } = await arethetypeswrong(packageDir);
    expect(stdout).toContain('"@toq/contracts/constants"');
  });

  it('builds and parses keys through require() on Node 22', async () => {
    const { stdout } = await project.runScript(
      'use.cjs',
      `const { rawKey, parseMediaKey, ContractError } = require('@toq/contracts');
       const key = rawKey({ listingId: '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F', mediaType: 'photo',
         mediaId: '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10', ext: 'HEIC' });
       let code; try { rawKey({ listingId: '..', mediaType: 'photo', mediaId: 'x', ext: 'jpg' }) } catch (e) { code = e instanceof ContractError && e.code }
       console.log(JSON.stringify({ node: process.versions.node, key, kind: parseMediaKey(key).kind, code }));`,
    );
    const out = JSON.parse(stdout);
    expect(out.node).toMatch(/^22\./);
    expect(out).toMatchObject({
      key: '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f/raw/photo/0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10.heic',
      kind: 'raw',
      code: 'INVALID_INPUT',
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
});
