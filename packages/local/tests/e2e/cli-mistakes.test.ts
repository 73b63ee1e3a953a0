import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListingId, RequestId, safeParse } from '@toq/contracts';
import { closedPort, npmStart, type CommandRun } from './npm-start.ts';
import { scratchDir, writeTinyPhotos } from './support.ts';

/** The contracts' own message for `value`: the expected line follows the schema as it changes. */
function schemaMessage(schema: typeof ListingId | typeof RequestId, value: string): string {
  const parsed = safeParse(schema, value);
  if (parsed.ok) throw new Error(`Expected ${value} to be refused, the schema accepted it`);
  return parsed.error.issues.map((issue) => issue.message).join('; ');
}

/** The folder the cases run on (two photos, nothing wrong with it) and a file beside it. */
async function listing(): Promise<{ folder: string; file: string; out: string }> {
  const folder = await scratchDir('mistake-folder');
  await writeTinyPhotos(folder, 2);
  const file = join(await scratchDir('mistake-file'), 'notes.txt');
  await writeFile(file, 'not a folder');
  return { folder, file, out: join(await scratchDir('mistake-out'), 'out') };
}

/** A run that stopped on a usage error: one line on stderr, nothing else, nothing created. */
function expectOneLine(run: CommandRun, out: string, line: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`npm start: ${line} (npm start -- --help lists the options)\n`);
  expect(existsSync(out), 'nothing is created, nothing uploaded').toBe(false);
}

describe('npm start with a mistake: one line, exit 2, nothing created', () => {
  it('a missing folder', async () => {
    const { folder, out } = await listing();
    const missing = join(folder, 'no-such-folder');

    const run = await npmStart([missing, '--out', out]);

    expectOneLine(
      run,
      out,
      `No folder ${missing}: give the folder of photos and videos to process`,
    );
  }, 60_000);

  it('a folder that is a file', async () => {
    const { file, out } = await listing();

    const run = await npmStart([file, '--out', out]);

    expectOneLine(run, out, `${file} is a file: give the folder that holds the photos and videos`);
  }, 60_000);

  it('a folder with no photo or video', async () => {
    const { out } = await listing();
    const empty = await scratchDir('mistake-empty');

    const run = await npmStart([empty, '--out', out]);

    expectOneLine(
      run,
      out,
      `No photo or video in ${empty}: expected files such as .jpg, .png, .mp4`,
    );
  }, 60_000);

  it('an --endpoint nothing answers on (--store s3)', async () => {
    const { folder, out } = await listing();
    const endpoint = `http://127.0.0.1:${await closedPort()}`;

    const run = await npmStart([folder, '--out', out, '--store', 's3', '--endpoint', endpoint]);

    expectOneLine(
      run,
      out,
      `--endpoint ${endpoint} does not answer (ECONNREFUSED): start the S3/SQS server there, or leave --endpoint out to run fauxqs in process`,
    );
  }, 60_000);

  it('a bad --listing-id, as the contracts’ ListingId says', async () => {
    const { folder, out } = await listing();

    const run = await npmStart([folder, '--out', out, '--listing-id', 'flat/12']);

    expectOneLine(run, out, `--listing-id ${schemaMessage(ListingId, 'flat/12')}`);
  }, 60_000);

  it('a bad --request-id, as the contracts’ RequestId says', async () => {
    const { folder, out } = await listing();

    const run = await npmStart([folder, '--out', out, '--request-id', 'req 1']);

    expectOneLine(run, out, `--request-id ${schemaMessage(RequestId, 'req 1')}`);
  }, 60_000);

  it('a webhook secret without the whsec_ prefix', async () => {
    const { folder, out } = await listing();
    const secret = Buffer.alloc(32, 1).toString('base64');

    const run = await npmStart([folder, '--out', out, '--webhook-secret', secret]);

    expectOneLine(
      run,
      out,
      '--webhook-secret must start with whsec_ (the Standard Webhooks form: whsec_ and base64)',
    );
    expect(run.stderr).not.toContain(secret);
  }, 60_000);

  it('a webhook secret too short to be safe', async () => {
    const { folder, out } = await listing();

    const run = await npmStart([folder, '--out', out, '--webhook-secret', 'whsec_c2hvcnQ=']);

    expectOneLine(
      run,
      out,
      '--webhook-secret is 5 bytes once decoded: Standard Webhooks secrets are at least 24 random bytes (leave it out and npm start makes one)',
    );
  }, 60_000);

  it('a --callback that is not an http(s) URL', async () => {
    const { folder, out } = await listing();

    const run = await npmStart([folder, '--out', out, '--callback', 'backend.example.com/hooks']);

    expectOneLine(
      run,
      out,
      '--callback must be an absolute http(s) URL of printable ASCII characters, received "backend.example.com/hooks"',
    );
  }, 60_000);

  it('a plain-http --callback beyond this machine, which the sender would refuse', async () => {
    const { folder, out } = await listing();

    const run = await npmStart([folder, '--out', out, '--callback', 'http://example.com/hooks']);

    expectOneLine(
      run,
      out,
      '--callback must be https, or http to this machine (localhost, 127.0.0.1, [::1]), received http to example.com',
    );
  }, 60_000);
});

describe('npm start when something unexpected breaks', () => {
  it('prints one line and keeps the stack in run.log', async () => {
    // Prepare: an endpoint that answers, but not as S3 does.
    const { folder, out } = await listing();
    const server = createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Not S3</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };

    try {
      // Act
      const run = await npmStart([
        ...[folder, '--out', out, '--store', 's3'],
        ...['--endpoint', `http://127.0.0.1:${port}`],
      ]);

      // Assess
      const log = join(out, 'run.log');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^npm start failed: .+ \(the stack is in .+\)\n$/);
      expect(run.stderr).toContain(`(the stack is in ${log})`);
      const last = JSON.parse((await readFile(log, 'utf8')).trim().split('\n').at(-1) ?? '') as {
        level: string;
        error: string;
      };
      expect(last.level).toBe('ERROR');
      expect(last.error).toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 120_000);
});
