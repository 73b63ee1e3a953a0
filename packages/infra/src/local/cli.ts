import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from './contact-sheet.ts';
import { Progress } from './progress.ts';
import {
  SAMPLE_LISTING,
  describeDelivery,
  runListing,
  type RunListingOptions,
} from './run-listing.ts';

const USAGE = `Usage: npm start -- [folder] [options]

Runs a folder of photos and videos (default: the sample listing in samples/listing) through the
whole pipeline on this machine: the deployed state machine definition, the real functions, ffmpeg
for MediaConvert, a local webhook receiver.

Options:
  --listing-id ID    the listing's UUID (default: derived from the folder)
  --request-id ID    the request's id (default: local-{timestamp}, a new request each run)
  --out DIR          where the bucket, result.json, contact-sheet.html and run.log go
                     (default: .local/run)
  --callback URL     POST the webhook there instead of to the local receiver
  --webhook-secret S the whsec_… signing secret (default: a new one, printed)
  --store fs|s3      the media bucket: a folder (default) or S3
  --endpoint URL     the S3/SQS server for --store s3 (default: fauxqs, started in process)
  --bucket NAME      the bucket for --store s3 (default: toq-listing-medias-local)
  -h, --help         this text

Exit code: 0 when the listing was processed (even partly), 1 when it failed as a whole.`;

/** The command line as {@link runListing} options (and the output directory). */
export function parseCommandLine(argv: readonly string[]): RunListingOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'listing-id': { type: 'string' },
      'request-id': { type: 'string' },
      out: { type: 'string' },
      callback: { type: 'string' },
      'webhook-secret': { type: 'string' },
      store: { type: 'string' },
      endpoint: { type: 'string' },
      bucket: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 1) {
    throw new Error(
      `Expected at most one folder, received ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const store = values.store ?? 'fs';
  if (store !== 'fs' && store !== 's3') {
    throw new Error(`--store must be fs or s3, received "${store}"`);
  }
  if (store === 'fs' && (values.endpoint !== undefined || values.bucket !== undefined)) {
    throw new Error('--endpoint and --bucket need --store s3');
  }
  return {
    out: values.out ?? '.local/run',
    ...(positionals[0] === undefined ? {} : { folder: positionals[0] }),
    ...(values['listing-id'] === undefined
      ? {}
      : { listingId: values['listing-id'].toLowerCase() }),
    ...(values['request-id'] === undefined ? {} : { requestId: values['request-id'] }),
    ...(values.callback === undefined ? {} : { callbackUrl: values.callback }),
    ...(values['webhook-secret'] === undefined ? {} : { webhookSecret: values['webhook-secret'] }),
    store:
      store === 'fs'
        ? 'fs'
        : {
            kind: 's3',
            ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
            ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
          },
  };
}

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
  const here = (path: string) => relative(process.cwd(), path) || '.';
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
  out(`Bucket:        ${here(report.paths.bucket)}`);
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
