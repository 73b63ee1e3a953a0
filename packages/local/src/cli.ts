import { appendFile, mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { formatBytes } from './contact-sheet.ts';
import { DEFAULT_OUT, USAGE, parseCommandLine } from './command-line.ts';
import { Progress } from './progress.ts';
import {
  SAMPLE_LISTING,
  describeDelivery,
  runListing,
  type RunListingOptions,
} from './run-listing.ts';
import { UsageError } from './usage-error.ts';

/** `path` relative to where the command runs, when it is below it. */
function here(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith('..') ? path : near || '.';
}

/** The first line of an error's message, prefixed with its name when that says something. */
function oneLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const name = error instanceof Error ? error.name : '';
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
}

/**
 * Adds the error, stack and all, to the run's log (JSON lines, like the functions' own), so the
 * console keeps one line. Resolves false when even that cannot be written.
 */
async function logStack(log: string, error: unknown): Promise<boolean> {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    await mkdir(join(log, '..'), { recursive: true });
    const line = { level: 'ERROR', message: 'npm start failed', error: stack };
    await appendFile(log, `${JSON.stringify(line)}\n`);
    return true;
  } catch {
    return false;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options: RunListingOptions | 'help' | undefined;
  try {
    options = parseCommandLine(argv);
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await run(options);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`npm start: ${error.message} (npm start -- --help lists the options)\n`);
      return 2;
    }
    const log = join(resolve(typeof options === 'object' ? options.out : DEFAULT_OUT), 'run.log');
    const kept = await logStack(log, error);
    process.stderr.write(
      `npm start failed: ${oneLine(error)}${kept ? ` (the stack is in ${here(log)})` : `\n${String((error as Error).stack)}`}\n`,
    );
    return 1;
  }
}

/** One run, with its progress and the summary of where everything is. */
async function run(options: RunListingOptions): Promise<number> {
  const progress = new Progress(process.stdout);
  const report = await runListing({
    ...options,
    // A local run waits a quarter of the functions' own backoff and 1 s per state retry: a
    // webhook endpoint that is down costs seconds, not the 21 minutes Step Functions would wait.
    timeScale: 0.25,
    retryDelayMs: 1000,
    onEvent: progress.onEvent,
    onStep: progress.onStep,
    onListing: (files) => progress.setListing(files),
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
    for (const failure of report.failures) {
      out(
        `  ✗ ${failure.fileName ? `${failure.fileName}: ` : ''}${failure.code} (${failure.message})`,
      );
    }
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

process.exitCode = await main(process.argv.slice(2));
