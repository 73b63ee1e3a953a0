import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, ProcessingRequest } from '@toq/contracts';
import { History, type HistoryChange } from '../../src/dev/history.ts';
import type { EventLog } from '../../src/local-step-functions.ts';
import { UsageError } from '../../src/usage-error.ts';
import { dataDir } from './support.ts';

const REQUEST = parse(ProcessingRequest, {
  schemaVersion: 1,
  requestId: 'req-1',
  listingId: 'listing-42',
  media: [
    {
      mediaId: '00000000-0000-4000-8000-000000000001',
      mediaType: 'photo',
      ext: 'jpg',
      bytes: 1000,
    },
  ],
  callback: { url: 'http://127.0.0.1:9/hook' },
});
const NAME = 'listing-42_req-1';

const state = (type: string, name: string, timestamp: number, index?: number) =>
  ({
    type,
    timestamp,
    state: { name, type: 'Task', input: {} },
    ...(index === undefined ? {} : { index }),
  }) as unknown as EventLog;

const ignore = () => undefined;

describe('History: the history and execution journal of npm run dev', () => {
  it('journals an execution before it runs, and reads everything back after a restart', async () => {
    // Prepare
    const dir = join(await dataDir('history'), 'history');
    const history = await History.open(dir, ignore);
    const changes: HistoryChange['kind'][] = [];
    history.on('change', (change) => changes.push(change.kind));

    // Act
    history.requestReceived('m-1', 1);
    await history.executionStarted(NAME, REQUEST);
    const journaled = JSON.parse(
      await readFile(join(dir, 'executions', `${NAME}.json`), 'utf8'),
    ) as { status: string };
    history.requestHandled('m-1', history.linkRequest('m-1', NAME), { executionName: NAME });
    history.stateEvent(NAME, state('StateEntered', 'RenderPhoto', 1000, 0));
    history.stateEvent(NAME, state('StateRetried', 'RenderPhoto', 1100, 0));
    history.stateEvent(NAME, state('StateExited', 'RenderPhoto', 1500, 0));
    history.stateEvent(NAME, state('StateEntered', 'Callback', 1600));
    await history.executionStopped(NAME, { status: 'INTERRUPTED', at: new Date(2000) });
    await history.flush();
    const reopened = await History.open(dir, ignore);

    // Assess
    expect(journaled.status).toBe('RUNNING');
    expect(changes).toContain('request');
    expect(changes).toContain('execution');
    expect(reopened.hasExecution(NAME)).toBe(true);
    expect(reopened.unfinished().map((e) => e.name)).toEqual([NAME]);
    expect(reopened.execution(NAME)?.states).toEqual([
      {
        name: 'RenderPhoto',
        type: 'Task',
        index: 0,
        run: 1,
        enteredAt: new Date(1000).toISOString(),
        exitedAt: new Date(1500).toISOString(),
        status: 'succeeded',
        retries: 1,
      },
      {
        name: 'Callback',
        type: 'Task',
        run: 1,
        enteredAt: new Date(1600).toISOString(),
        status: 'interrupted',
        retries: 0,
      },
    ]);
    expect(reopened.requests()).toMatchObject([
      { messageId: 'm-1', outcome: 'started', executionName: NAME },
    ]);
    await reopened.executionResumed(NAME);
    expect(reopened.execution(NAME)).toMatchObject({ status: 'RUNNING', runs: 2 });
    expect(reopened.linkRequest('m-2', NAME)).toBe('duplicate');
  });

  it('forgets an execution it could not journal, so that the retried message starts it', async () => {
    // Prepare: the journal's folder replaced by a file, so that writing to it fails.
    const dir = join(await dataDir('history-unwritable'), 'history');
    const history = await History.open(dir, ignore);
    await rm(join(dir, 'executions'), { recursive: true });
    await writeFile(join(dir, 'executions'), 'not a folder');

    // Act
    const started = history.executionStarted(NAME, REQUEST);
    const knownWhileWriting = history.hasExecution(NAME);

    // Assess
    await expect(started).rejects.toThrow();
    expect(knownWhileWriting).toBe(true);
    expect(history.hasExecution(NAME)).toBe(false);
  });

  it('names a damaged file in one line instead of guessing', async () => {
    const dir = join(await dataDir('history-damaged'), 'history');
    await History.open(dir, ignore);
    await writeFile(join(dir, 'executions', `${NAME}.json`), '{"name": "listing-42_req-1", ');

    const opened = History.open(dir, ignore);

    await expect(opened).rejects.toThrow(UsageError);
    await expect(opened).rejects.toThrow(`${join(dir, 'executions', `${NAME}.json`)} is damaged`);
  });
});
