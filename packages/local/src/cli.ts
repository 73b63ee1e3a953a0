import { relative } from 'node:path';
import { formatBytes } from './contact-sheet.ts';
import { USAGE, parseCommandLine } from './command-line.ts';
import { Progress } from './progress.ts';
import {
  SAMPLE_LISTING,
  describeDelivery,
  runListing,
  type RunListingOptions,
} from './run-listing.ts';

async function main(argv: readonly string[]): Promise<number> {
  let options: RunListingOptions | 'help';
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = new Progress(process.stdout);
  const here = (path: string) => {
    const near = relative(process.cwd(), path);
    return near.startsWith('..') ? path : near || '.';
  };
  const report = await runListing({
    ...options,
    // A local run waits a quarter of the functions' own backoff and 1 s per state retry: a
    // webhook endpoint that is down costs seconds, not the 21 minutes Step Functions would wait.
    timeScale: 0.25,
    retryDelayMs: 1000,
    onEvent: progress.onEvent,
    onStep: progress.onStep,
    onListing: (files) =>
      progress.setNames(new Map(files.map((f) => [f.mediaId, f.fileName])), {
        photo: files.filter((f) => f.mediaType === 'photo').length,
        video: files.filter((f) => f.mediaType === 'video').length,
      }),
  });
  progress.finish();

  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  const { result, execution } = report;
  if (options.folder === undefined) out(`Sample listing: ${here(SAMPLE_LISTING)}`);
  out(
    `Execution ${report.executionName}: ${execution?.status ?? 'not started'}${execution?.error ? ` (${execution.error.Error}: ${execution.error.Cause})` : ''}`,
  );
  if (result) {
    out(
      `Listing ${result.status}: ${result.summary.succeeded} of ${result.summary.total} media processed`,
    );
    for (const item of result.media) {
      if (item.status === 'failed') {
        const name = report.files.find((f) => f.mediaId === item.mediaId)?.fileName ?? item.mediaId;
        out(`  ✗ ${name}: ${item.error.code} (${item.error.message})`);
      }
    }
    for (const error of result.errors) out(`  ✗ ${error.code}: ${error.message}`);
  }
  const verified = report.webhooks.filter((w) => w.payload !== undefined).length;
  out(`Webhook: ${describeDelivery(report.delivery)}`);
  if (report.webhooks.length > 0) {
    out(`  local receiver: ${report.webhooks.length} POST(s), ${verified} with a valid signature`);
  } else if (options.callbackUrl !== undefined && options.webhookSecret === undefined) {
    out('  (signed with a one-off secret: pass --webhook-secret to verify it at your endpoint)');
  }
  out();
  if (report.zip)
    out(
      `Zip:           ${report.zip.key} (${report.zip.entries.length} entries, ${formatBytes(report.zip.bytes)})`,
    );
  const onS3 = options.store !== 'fs' && options.store !== undefined;
  out(`Bucket:        ${onS3 ? report.bucket : here(report.paths.bucket)}`);
  if (onS3) out(`Renditions:    ${here(report.paths.bucket)} (a copy, for the contact sheet)`);
  if (result) {
    out(`Result:        ${here(report.paths.result)}`);
    out(`Contact sheet: ${here(report.paths.contactSheet)}`);
  }
  out(`Logs:          ${here(report.paths.log)}`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
