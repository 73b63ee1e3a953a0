import { parseArgs } from 'node:util';
import { UsageError } from '../usage-error.ts';
import { WEBHOOK_SECRET_ENV } from './webhook-secret.ts';

/** The S3 + SQS endpoint's port by default: the one AWS-compatible local tools use. */
export const DEFAULT_PORT = 4566;
export const DEFAULT_DASHBOARD_PORT = 4567;
export const DEFAULT_DATA_DIR = '.local/dev';

/** What the data folder holds. */
export const DATA_FILES = {
  /** Written (0600) once the service answers, removed when it stops. */
  connection: 'connection.json',
  /** Every function's log lines and the service's own, as JSON lines. */
  log: 'dev.log',
  /** The process that uses the folder (one service per folder). */
  lock: 'dev.pid',
  /** Requests and executions (`history.ts`). */
  history: 'history',
  /** fauxqs's SQLite file: the queues and their messages. */
  queues: 'sqs',
  /** fauxqs's objects, one file each. */
  objects: 's3',
} as const;

/** `npm run dev -- --help`. */
export const DEV_USAGE = `Usage: npm run dev -- [options]

Runs the pipeline as a local service until Ctrl-C: one S3 + SQS endpoint on 127.0.0.1 with the
media bucket and the queues, the pipeline consuming the queue as Lambda does (each request: the
deployed state machine definition, the real functions, ffmpeg for MediaConvert, then the signed
webhook to the request's callback URL), and a dashboard. Writes DIR/connection.json (endpoint,
region, bucket, queueUrl, dlqUrl, webhookSecret, dashboardUrl, schemasUrl) once it is ready.

Options:
  --data DIR            where everything is kept across restarts: objects, queued messages,
                        history, the webhook secret, dev.log (default: ${DEFAULT_DATA_DIR})
  --port N              the S3 + SQS endpoint's port on 127.0.0.1; 0: any free port
                        (default: ${DEFAULT_PORT})
  --dashboard-port M    the dashboard's port on 127.0.0.1; 0: any free port (default: ${DEFAULT_DASHBOARD_PORT})
  --allow-host HOST     also send webhooks to https://HOST (repeatable; *.example.com allowed);
                        http and https to localhost, 127.0.0.0/8 and ::1 are always allowed
  -h, --help            this text

Environment:
  ${WEBHOOK_SECRET_ENV}    the whsec_… signing secret; without it one is generated once and
                        kept in DIR/webhook-secret

Exit code: 0 after Ctrl-C (or SIGTERM) once everything is saved, 2 on a mistake in the command.`;

/** What `npm run dev` runs with. */
export interface DevOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly dashboardPort: number;
  readonly allowedCallbackHosts: readonly string[];
}

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`${flag} must be a whole number from 0 to 65535, received "${value}"`);
  }
  return Number(value);
}

/**
 * The command line of `npm run dev` as {@link DevOptions}.
 *
 * @throws {UsageError} on an unknown flag, a missing value or a bad port.
 * @example
 * parseDevCommandLine(['--data', '.local/dev', '--port', '0']);
 */
export function parseDevCommandLine(argv: readonly string[]): DevOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        'dashboard-port': { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  if (values.data === '') throw new UsageError('--data must name a folder, received ""');
  const options = {
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    port: port('--port', values.port, DEFAULT_PORT),
    dashboardPort: port('--dashboard-port', values['dashboard-port'], DEFAULT_DASHBOARD_PORT),
    allowedCallbackHosts: values['allow-host'] ?? [],
  };
  if (options.port !== 0 && options.port === options.dashboardPort) {
    throw new UsageError(`--port and --dashboard-port must differ, both are ${options.port}`);
  }
  return options;
}
