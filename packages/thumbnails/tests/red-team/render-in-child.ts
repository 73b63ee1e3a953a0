/**
 * Renders one input the way a server using the library would, and reports on stdout, as JSON,
 * what came out (the renditions' sizes, or the error's code and message) with the process's peak
 * resident memory and the longest the event loop was kept from running while it rendered. It
 * first renders a small HEIC, as a server has rendered photos before: the figures are then the
 * photo's, not those of loading modules (through tsx's loader, which blocks the loop for 0.3 s).
 *
 * Usage: node --import tsx --conditions=@toq/source render-in-child.ts <file | stalled-stream> [options JSON]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { createRenditions, ThumbnailError, type RenditionOptions } from '../../src/index';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const [input = '', optionsJson = '{}'] = process.argv.slice(2);
const options = JSON.parse(optionsJson) as RenditionOptions;
// A stream that never delivers a byte and never ends: a client that stopped sending.
const source = input === 'stalled-stream' ? new Readable({ read: () => undefined }) : input;

await createRenditions(fixturePath('formats', 'Landscape_0.heic'));
const delays = monitorEventLoopDelay({ resolution: 10 });
delays.enable();
let outcome: object;
try {
  const set = await createRenditions(source, options);
  outcome = {
    renditions: set.renditions.map((r) => `${r.size} ${r.width}x${r.height}`),
  };
} catch (error) {
  outcome =
    error instanceof ThumbnailError
      ? { code: error.code, message: error.message }
      : { unexpected: String(error) };
}
delays.disable();
process.stdout.write(
  JSON.stringify({
    ...outcome,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    longestStallMs: delays.max / 1e6,
  }),
);
