import { relative } from 'node:path';
import { UsageError } from '../usage-error.ts';
import { DATA_FILES, DEV_USAGE, parseDevCommandLine } from './command-line.ts';
import type { DevService } from './service.ts';
import { WEBHOOK_SECRET_ENV, WEBHOOK_SECRET_FILE } from './webhook-secret.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** The block printed once the service is up: connection.json's keys, and where things are. */
function connectionBlock(service: DevService): string[] {
  const near = relative(process.cwd(), service.dataDir);
  const dir = near === '' || near.startsWith('..') ? service.dataDir : near;
  const width = Math.max(...Object.keys(service.connection).map((k) => k.length));
  const secretFrom = {
    environment: `from ${WEBHOOK_SECRET_ENV}`,
    'data folder': `kept in ${dir}/${WEBHOOK_SECRET_FILE}`,
    generated: `new, kept in ${dir}/${WEBHOOK_SECRET_FILE}`,
  }[service.secretSource];
  return [
    `npm run dev: the pipeline is running (Ctrl-C stops it). ${dir}/${DATA_FILES.connection}:`,
    ...Object.entries(service.connection).map(
      ([key, value]) =>
        `  ${key.padEnd(width)}  ${String(value)}${key === 'webhookSecret' ? `  (${secretFrom})` : ''}`,
    ),
    `  any access key works; S3 needs path-style addressing. Logs: ${dir}/${DATA_FILES.log}`,
  ];
}

/**
 * Resolves on the first SIGINT or SIGTERM (listened to from the start, so a signal during startup
 * stops the service as soon as it is up); a second one exits at once. Every file is whole
 * (written by rename), and the journal resumes what was running at the next start.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const stopping = stopSignal();
  let service: DevService;
  try {
    const options = parseDevCommandLine(argv);
    if (options === 'help') {
      out(DEV_USAGE);
      return 0;
    }
    // The pipeline (the SDK, sharp, the interpreter) loads only once the command line is good.
    const { DevService } = await import('./service.ts');
    service = await DevService.start({ ...options, env: process.env, out });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`npm run dev: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const line of connectionBlock(service)) out(line);
  const signal = await stopping;
  out(`\n${signal}: stopping (Ctrl-C again to quit at once)`);
  await service.stop();
  const peak = process.resourceUsage().maxRSS / 1024;
  out(`Stopped: everything is saved (peak RSS ${peak.toFixed(0)} MiB).`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
// An interrupted task (an ffmpeg child, a pending upload) must not keep a stopped service alive.
setTimeout(() => process.exit(), 1000).unref();
