import { parseArgs } from 'node:util';
import type { RunListingOptions } from './run-listing.ts';

/** `npm start -- --help`. */
export const USAGE = `Usage: npm start -- [folder] [options]

Runs a folder of photos and videos (default: the sample listing in samples/listing) through the
whole pipeline on this machine: the deployed state machine definition, the real functions, ffmpeg
for MediaConvert, a local webhook receiver.

Options:
  --listing-id ID    the listing's UUID (default: derived from the folder)
  --request-id ID    the request's id (default: local- and 12 random hex digits, a new request each run)
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
