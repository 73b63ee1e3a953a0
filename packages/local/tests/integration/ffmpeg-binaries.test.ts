import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/ffmpeg-binaries.ts';

let root: string;

/** A folder holding fake `ffmpeg` and `ffprobe` programs that print `version`. */
async function fakePath(name: string, version: string): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder);
  for (const program of ['ffmpeg', 'ffprobe']) {
    const file = join(folder, program);
    await writeFile(
      file,
      `#!/bin/sh\necho "${program} version ${version} Copyright (c) the FFmpeg developers"\n`,
    );
    await chmod(file, 0o755);
  }
  return folder;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'toq-ffmpeg-binaries-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('locateFfmpeg', () => {
  it('uses the binaries npm installed when the PATH has none, and they really run', () => {
    const { ffmpeg, ffprobe } = locateFfmpeg({ path: join(root, 'empty') });

    expect(ffmpeg).toMatchObject({ source: 'npm', version: expect.stringMatching(/^\d+\.\d+$/) });
    expect(ffprobe).toMatchObject({ source: 'npm' });
    expect(execFileSync(ffmpeg.path, ['-hide_banner', '-encoders'], { encoding: 'utf8' })).toMatch(
      /libx264/,
    );
    expect(execFileSync(ffprobe.path, ['-version'], { encoding: 'utf8' })).toMatch(/^ffprobe /);
  });

  it('prefers the PATH’s programs when they are newer than npm’s', async () => {
    const folder = await fakePath('newer', '99.1-custom');

    const { ffmpeg, ffprobe } = locateFfmpeg({ path: folder });

    expect(ffmpeg).toEqual({ path: join(folder, 'ffmpeg'), source: 'system', version: '99.1' });
    expect(ffprobe).toEqual({ path: join(folder, 'ffprobe'), source: 'system', version: '99.1' });
  });

  it('keeps npm’s programs when the PATH’s are older', async () => {
    const folder = await fakePath('older', '2.8.1');

    const { ffmpeg } = locateFfmpeg({ path: folder });

    expect(ffmpeg.source).toBe('npm');
    expect(ffmpeg.path).not.toBe(join(folder, 'ffmpeg'));
  });

  it('falls back to the PATH’s programs where npm ships none, whatever their version', async () => {
    const folder = await fakePath('only', 'N-12345-gabcdef');
    const packages = { ffmpeg: '@toq/no-such-installer', ffprobe: '@toq/no-such-installer' };

    expect(locateFfmpeg({ path: folder, packages }).ffmpeg).toEqual({
      path: join(folder, 'ffmpeg'),
      source: 'system',
    });
    expect(locateFfmpeg({ path: join(root, 'empty'), packages }).ffmpeg).toEqual({
      path: 'ffmpeg',
      source: 'system',
    });
  });
});
