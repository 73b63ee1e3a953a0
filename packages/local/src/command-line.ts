import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { CallbackTarget, ListingId, RequestId, safeParse } from '@toq/contracts';
import { pipelineNames } from '@toq/lambdas/pipeline';
import { isLoopbackAddress, normaliseHost } from '@toq/lambdas/webhook-sender';
import { SAMPLE_LISTING_ID, type RunListingOptions } from './run-listing.ts';
import { webhookSecretProblem } from './static-secret.ts';
import { UsageError } from './usage-error.ts';

/** Where a run's outputs go without `--out`. */
export const DEFAULT_OUT = '.local/run';

/** Help lines are at most this wide; option texts start at {@link TEXT_COLUMN}. */
const HELP_WIDTH = 100;
const TEXT_COLUMN = 21;

/** `text` wrapped to {@link HELP_WIDTH}, its first line after `lead`, the rest indented. */
function wrapped(lead: string, text: string): string {
  const lines: string[] = [];
  let line = lead.padEnd(TEXT_COLUMN - 1);
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > HELP_WIDTH && line.trim() !== lead.trim()) {
      lines.push(line);
      line = ' '.repeat(TEXT_COLUMN - 1);
    }
    line += ` ${word}`;
  }
  return [...lines, line].join('\n');
}

const OPTIONS: readonly (readonly [string, string])[] = [
  [
    '--listing-id ID',
    `the listing's id, as @toq/contracts' ListingId takes it: ${ListingId.description ?? ''} Default: a UUID derived from the folder's absolute path, so the same folder is the same listing on every run (the sample listing's is ${SAMPLE_LISTING_ID}).`,
  ],
  [
    '--request-id ID',
    `the request's id, as @toq/contracts' RequestId takes it: ${RequestId.description ?? ''} Default: local- and 12 random hex digits, a new request on every run.`,
  ],
  [
    '--out DIR',
    `where the bucket, result.json, contact-sheet.html and run.log go (default: ${DEFAULT_OUT}).`,
  ],
  [
    '--callback URL',
    'POST the webhook there (https, or http to this machine) instead of to the local receiver.',
  ],
  [
    '--webhook-secret S',
    'the signing secret: whsec_ and the base64 of 24 or more random bytes (Standard Webhooks). Default: a new one on every run, which the local receiver verifies with; it is neither printed nor kept, so with --callback pass your own to verify the signature at your endpoint.',
  ],
  ['--store fs|s3', 'the media bucket: a folder, {out}/bucket (default), or S3.'],
  [
    '--endpoint URL',
    'the S3/SQS server for --store s3, which must answer before anything is uploaded (default: fauxqs, started on 127.0.0.1 for the run and gone after it).',
  ],
  [
    '--bucket NAME',
    `the bucket for --store s3, created when missing (default: ${pipelineNames('local').mediaBucket}).`,
  ],
  ['-h, --help', 'this text.'],
];

/** `npm start -- --help`. Every default and behaviour it states is the code's. */
export const USAGE = `Usage: npm start -- [folder] [options]

Runs a folder of photos and videos (default: the sample listing in samples/listing) through the
whole pipeline on this machine: the deployed state machine definition, the real functions, ffmpeg
for MediaConvert, a local webhook receiver. Files of other types are skipped; an empty or
unreadable photo or video is one failed item, and the other files are still processed.

Options:
${OPTIONS.map(([flag, text]) => wrapped(`  ${flag}`, text)).join('\n')}

Exit code: 0 when the listing was processed, even partly (an undelivered webhook is reported and
still exits 0); 1 when it failed as a whole (no result, or its status is failed) or the run itself
broke (one line here, the stack in run.log); 2 for a mistake in the command (one line saying
which), found before anything is created or uploaded.`;

/**
 * Why `url` cannot receive this run's webhook, or undefined: the contracts' `CallbackTarget`,
 * then what the local sender refuses (credentials in the URL; plain http beyond this machine).
 */
function callbackProblem(url: string): string | undefined {
  const parsed = safeParse(CallbackTarget, { url });
  if (!parsed.ok) return parsed.error.issues.map((issue) => issue.message).join('; ');
  const { protocol, hostname, username, password } = new URL(url);
  if (username || password) return 'must not carry credentials (the webhook is signed instead)';
  const host = normaliseHost(hostname);
  const loopback =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (isIP(host) !== 0 && isLoopbackAddress(host));
  if (protocol === 'http:' && !loopback) {
    return `must be https, or http to this machine (localhost, 127.0.0.1, [::1]), received http to ${host}`;
  }
  return undefined;
}

/** `value` parsed by one of the contracts' schemas, or a usage error naming the option. */
function parsedId(
  option: string,
  schema: typeof ListingId | typeof RequestId,
  value: string,
): string {
  const parsed = safeParse(schema, value);
  if (!parsed.ok) {
    throw new UsageError(`${option} ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.value;
}

function readArgs(argv: readonly string[]) {
  try {
    return parseArgs({
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
  } catch (error) {
    // node:util's own words (`Unknown option '--x'`), made a usage error.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

/**
 * The command line as {@link runListing} options, every value checked: the ids with the
 * contracts' own schemas (so they follow them), the callback URL, the webhook secret, the store.
 * What needs the file system or the network (the folder, the endpoint) `runListing` checks
 * before it creates anything.
 *
 * @throws {UsageError} naming the option and what was expected.
 * @example
 * parseCommandLine(['photos', '--request-id', 'r-1']); // { out: '.local/run', folder: 'photos', requestId: 'r-1', store: 'fs' }
 */
export function parseCommandLine(argv: readonly string[]): RunListingOptions | 'help' {
  const { values, positionals } = readArgs(argv);
  if (values.help) return 'help';
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected at most one folder, received ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const store = values.store ?? 'fs';
  if (store !== 'fs' && store !== 's3') {
    throw new UsageError(`--store must be fs or s3, received "${store}"`);
  }
  if (store === 'fs' && (values.endpoint !== undefined || values.bucket !== undefined)) {
    throw new UsageError('--endpoint and --bucket need --store s3');
  }
  const { endpoint, callback } = values;
  if (
    endpoint !== undefined &&
    !(URL.canParse(endpoint) && /^https?:$/.test(new URL(endpoint).protocol))
  ) {
    throw new UsageError(`--endpoint must be an http(s) URL, received "${endpoint}"`);
  }
  const callbackIssue = callback === undefined ? undefined : callbackProblem(callback);
  if (callbackIssue) throw new UsageError(`--callback ${callbackIssue}`);
  const secret = values['webhook-secret'];
  const secretIssue = secret === undefined ? undefined : webhookSecretProblem(secret);
  if (secretIssue) throw new UsageError(`--webhook-secret ${secretIssue}`);
  const listingId = values['listing-id'];
  const requestId = values['request-id'];
  return {
    out: values.out ?? DEFAULT_OUT,
    ...(positionals[0] === undefined ? {} : { folder: positionals[0] }),
    ...(listingId === undefined
      ? {}
      : { listingId: parsedId('--listing-id', ListingId, listingId) }),
    ...(requestId === undefined
      ? {}
      : { requestId: parsedId('--request-id', RequestId, requestId) }),
    ...(callback === undefined ? {} : { callbackUrl: callback }),
    ...(secret === undefined ? {} : { webhookSecret: secret }),
    store:
      store === 'fs'
        ? 'fs'
        : {
            kind: 's3',
            ...(endpoint === undefined ? {} : { endpoint }),
            ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
          },
  };
}
