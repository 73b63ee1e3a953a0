import { findPackageJSON } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import { acceptSqsQueryProtocol } from './sqs-query-protocol.ts';

/** Options of {@link startLoopbackFauxqs}. */
export interface LoopbackFauxqsOptions {
  /** The port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Queues and their messages in SQLite here (kept across restarts). Default: in memory. */
  readonly dataDir?: string;
  /** Objects as plain files here (kept across restarts). Default: in memory (or `dataDir`). */
  readonly s3StorageDir?: string;
}

/** A running fauxqs on 127.0.0.1. */
export interface LoopbackFauxqs {
  /** `http://127.0.0.1:{port}`. */
  readonly endpoint: string;
  readonly port: number;
  /**
   * The receipt handles of the messages of `queue` that are in flight (received, neither deleted
   * nor visible again), read without touching them.
   */
  inflightReceipts(queue: string): string[];
  /** Stops the server and closes its files (SQLite, objects). */
  stop(): Promise<void>;
}

/** What fauxqs's stores are to its app: handed over, never called here. */
type Store = object;
interface Persistence {
  loadSqsAndSns(sqs: Store, sns: Store): void;
  load(sqs: Store, sns: Store, s3: Store): void;
  close(): void;
}
interface S3Persistence {
  loadS3(s3: Store): void;
  close(): void;
}
interface SqsStoreWithQueues {
  persistence?: Persistence;
  allQueues(): Iterable<{ persistence?: Persistence }>;
  inspectQueue(
    name: string,
  ): { messages: { inflight: readonly { receiptHandle: string }[] } } | undefined;
}

/** One of fauxqs's own modules (`dist/…`), which its package does not export. */
async function fauxqsModule<T>(path: string): Promise<T> {
  const packageJson = findPackageJSON('fauxqs', import.meta.url);
  if (packageJson === undefined) throw new Error('Cannot find the fauxqs package');
  return (await import(pathToFileURL(join(dirname(packageJson), 'dist', path)).href)) as T;
}

/**
 * fauxqs (S3 + SQS on one endpoint) listening on 127.0.0.1 only. `startFauxqs` always listens on
 * 0.0.0.0, which makes the emulator (no authentication at all) reachable from the network; this
 * wires the same stores and persistence as `startFauxqs` does (fauxqs 2.4.1) around the app its
 * public `buildApp` makes, and binds that app to loopback.
 *
 * @example
 * const server = await startLoopbackFauxqs({ port: 4566, dataDir: '.local/dev/sqs', s3StorageDir: '.local/dev/s3' });
 * new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
 * await server.stop();
 * @throws {Error} with `code` `EADDRINUSE` when the port is taken.
 */
export async function startLoopbackFauxqs(options: LoopbackFauxqsOptions): Promise<LoopbackFauxqs> {
  const [{ SqsStore }, { SnsStore }, { S3Store }, { PersistenceManager }, { FileS3Persistence }] =
    await Promise.all([
      fauxqsModule<{ SqsStore: new () => SqsStoreWithQueues }>('sqs/sqsStore.js'),
      fauxqsModule<{ SnsStore: new () => { persistence?: Persistence } }>('sns/snsStore.js'),
      fauxqsModule<{ S3Store: new () => { persistence?: Persistence | S3Persistence } }>(
        's3/s3Store.js',
      ),
      fauxqsModule<{ PersistenceManager: new (dir: string) => Persistence }>('persistence.js'),
      fauxqsModule<{ FileS3Persistence: new (dir: string) => S3Persistence }>(
        's3/fileS3Persistence.js',
      ),
    ]);
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  const sqlite =
    options.dataDir === undefined ? undefined : new PersistenceManager(options.dataDir);
  const files =
    options.s3StorageDir === undefined ? undefined : new FileS3Persistence(options.s3StorageDir);
  // As startFauxqs: load first, then attach, so that loading does not write everything back.
  if (sqlite && !files) sqlite.load(sqsStore, snsStore, s3Store);
  else {
    sqlite?.loadSqsAndSns(sqsStore, snsStore);
    files?.loadS3(s3Store);
  }
  if (sqlite) {
    sqsStore.persistence = sqlite;
    snsStore.persistence = sqlite;
    for (const queue of sqsStore.allQueues()) queue.persistence = sqlite;
  }
  const s3Persistence = files ?? sqlite;
  if (s3Persistence) s3Store.persistence = s3Persistence;

  const app = buildApp({
    logger: false,
    stores: { sqsStore, snsStore, s3Store } as unknown as NonNullable<
      Parameters<typeof buildApp>[0]
    >['stores'],
  });
  acceptSqsQueryProtocol(app);
  app.addHook('preClose', () => {
    sqlite?.close();
    files?.close();
  });
  try {
    await app.listen({ port: options.port, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    inflightReceipts: (queue) =>
      (sqsStore.inspectQueue(queue)?.messages.inflight ?? []).map((m) => m.receiptHandle),
    stop: async () => {
      await app.close();
    },
  };
}
