import { describe, expect, it } from 'vitest';
import { runListing } from '../../src/run-listing.ts';
import { STATE_PAYLOAD_LIMIT } from '../../src/local-step-functions.ts';
import { scratchDir, writeTinyPhotos } from './support.ts';

describe('a 2,000-photo listing through the local execution', () => {
  it('processes every photo with every state input and output under 256 KB', async () => {
    // Prepare: the most media a request may list, as tiny photos.
    const folder = await scratchDir('large-folder');
    await writeTinyPhotos(folder, 2000, { width: 24, height: 16 });

    // Act
    const report = await runListing({
      folder,
      out: await scratchDir('large-out'),
      requestId: 'large-1',
      timeScale: 0,
    });

    // Assess
    const execution = report.execution;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(report.result?.summary).toEqual({ total: 2000, succeeded: 2000, failed: 0 });
    expect(execution?.tasks['RenderPhoto']?.invocations).toBe(2000);
    expect(report.zip?.entries).toHaveLength(8000);
    expect(report.webhooks.map((w) => w.status)).toEqual([204]);
    // The Map's input carries all 2,000 references, so the largest state is a big one…
    expect(execution?.largestState.bytes).toBeGreaterThan(100_000);
    // …and still no state is over Step Functions' limit.
    expect(execution?.largestState.bytes).toBeLessThanOrEqual(STATE_PAYLOAD_LIMIT);
    expect(execution?.oversizedStates).toEqual([]);
  }, 600_000);
});
