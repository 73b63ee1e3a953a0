/**
 * `node bench/s3-latency.ts`: what `readAhead` does for the zip Lambda, whose sources are S3
 * `GetObject` responses. A listing's renditions (500 objects of 20–69 KB) are put in an
 * S3-compatible server (fauxqs, in this process, on 127.0.0.1) and zipped to a null sink through
 * the SDK, with `readAhead` 0, 8 and 16, each with no added latency and with a wait of
 * `BENCH_S3_LATENCY` ms (default 20) before every `GetObject`, standing for S3's time to first
 * byte (fauxqs answers in well under a millisecond). The runs take turns; medians of
 * `BENCH_S3_ROUNDS` rounds (default 3).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createZip, type ZipEntry } from '@toq/zipper';
import { startFauxqs } from 'fauxqs';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const OBJECTS = 500;
const LATENCY_MS = Number(process.env.BENCH_S3_LATENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 3);
const READ_AHEADS = [0, 8, 16];
const bucket = 'toq-bench-renditions';

const key = (i: number) => `photo/small/${String(i).padStart(5, '0')}.jpg`;
const objectBytes = (i: number) => 20_000 + (i % 50) * 1_000;

const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: server.address,
  forcePathStyle: true,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < OBJECTS; i += 1) {
    const body = Buffer.alloc(objectBytes(i), i);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: body }));
  }

  /** The Lambda's entries: one `GetObject` per rendition, sent when createZip opens it. */
  const entries = (latency: number): ZipEntry[] =>
    Array.from({ length: OBJECTS }, (_, i) => ({
      path: key(i),
      size: objectBytes(i),
      source: async () => {
        if (latency > 0) await sleep(latency);
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key(i) }));
        return Body as Readable;
      },
    }));
  const nullSink = () =>
    new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });

  const cases = [0, LATENCY_MS].flatMap((latency) =>
    READ_AHEADS.map((readAhead) => ({ latency, readAhead, ms: [] as number[] })),
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const run of cases) {
      const start = performance.now();
      await createZip(entries(run.latency), nullSink(), { readAhead: run.readAhead });
      run.ms.push(performance.now() - start);
    }
  }

  console.log(
    `${OBJECTS} S3 objects of 20–69 KB through the SDK from fauxqs, medians of ${ROUNDS} rounds, Node ${process.versions.node}`,
  );
  console.log('wait before each GET | readAhead | median s | ms/entry');
  for (const { latency, readAhead, ms } of cases) {
    const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] as number;
    console.log(
      `${`${latency} ms`.padStart(20)} | ${String(readAhead).padStart(9)} | ${(median / 1000).toFixed(3).padStart(8)} | ${(median / OBJECTS).toFixed(2).padStart(8)}`,
    );
  }
} finally {
  s3.destroy();
  await server.stop();
}
