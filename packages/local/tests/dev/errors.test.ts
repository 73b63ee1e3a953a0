import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, runDev, startDev, type DevExit } from './support.ts';

/** A port on 127.0.0.1 that something else holds, for the test's duration. */
async function takenPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use((server.address() as { port: number }).port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Exit 2, one line on stderr that says `expected`, no stack, nothing started. */
function expectOneLine(exit: DevExit, expected: string | RegExp): void {
  expect(exit.code, exit.stderr).toBe(2);
  const lines = exit.stderr.trimEnd().split('\n');
  expect(lines, exit.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^npm run dev: /);
  expect(lines[0]).toMatch(expected);
  expect(exit.stderr).not.toMatch(/^\s+at /m);
  expect(exit.stdout).toBe('');
}

// One command at a time, each given time to load: a slow 2-core machine runs these too.
describe('npm run dev: a mistake gets one line and exit 2', { timeout: 120_000 }, () => {
  it('an unknown flag', async () => {
    expectOneLine(await runDev(['--bogus']), /Unknown option '--bogus'/);
  });

  it('a port that is not a port', async () => {
    expectOneLine(
      await runDev(['--port', '99999']),
      '--port must be a whole number from 0 to 65535, received "99999"',
    );
    expectOneLine(
      await runDev(['--dashboard-port', 'web']),
      '--dashboard-port must be a whole number from 0 to 65535, received "web"',
    );
  });

  it('a port in use, the endpoint’s or the dashboard’s', async () => {
    const data = await dataDir('port');
    await takenPort(async (port) => {
      expectOneLine(
        await runDev(['--data', data, '--port', String(port), '--dashboard-port', '0']),
        `Port ${port} on 127.0.0.1 is already in use`,
      );
      expectOneLine(
        await runDev(['--data', data, '--port', '0', '--dashboard-port', String(port)]),
        new RegExp(`Port ${port} on 127.0.0.1 is already in use.*--dashboard-port`),
      );
    });
  });

  it('a data folder that cannot be written', async () => {
    const file = join(await dataDir('file'), 'a-file');
    await writeFile(file, 'not a folder');
    expectOneLine(
      await runDev(['--data', join(file, 'dev'), '--port', '0', '--dashboard-port', '0']),
      `Cannot write to the data folder ${join(file, 'dev')}`,
    );
  });

  it('a webhook secret that cannot work', async () => {
    const data = await dataDir('secret');
    expectOneLine(
      await runDev(['--data', data, '--port', '0', '--dashboard-port', '0'], {
        TOQ_WEBHOOK_SECRET: 'whsec_c2hvcnQ=',
      }),
      /^npm run dev: TOQ_WEBHOOK_SECRET is 5 bytes once decoded/,
    );
    expectOneLine(
      await runDev(['--data', data, '--port', '0', '--dashboard-port', '0'], {
        TOQ_WEBHOOK_SECRET: 'hunter2',
      }),
      /^npm run dev: TOQ_WEBHOOK_SECRET must start with whsec_/,
    );
  });

  it('a data folder another npm run dev is using', async () => {
    const data = await dataDir('twice');
    const first = await startDev(data);
    try {
      expectOneLine(
        await runDev(['--data', data, '--port', '0', '--dashboard-port', '0']),
        /Another npm run dev \(process \d+\) is using the data folder/,
      );
    } finally {
      expect((await first.stop()).code).toBe(0);
    }
  });
});
