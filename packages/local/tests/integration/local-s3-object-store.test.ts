import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '@toq/lambdas/s3';
import { LocalS3ObjectStore } from '../../src/local-s3-object-store.ts';

const JSON_TYPE = { contentType: 'application/json' };

let server: FauxqsServer;
let client: S3Client;

/** A fresh bucket on the fauxqs server. */
async function bucket(): Promise<string> {
  const name = `local-s3-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

beforeAll(async () => {
  server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  client = new S3Client({
    region: 'us-east-1',
    endpoint: server.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('LocalS3ObjectStore.putIfAbsent on fauxqs', () => {
  it('is needed: fauxqs ignores If-None-Match on PutObject and replaces the object', async () => {
    // Prepare: the functions' own adapter, which leaves the condition to the server
    const store = new S3ObjectStore(client, await bucket());

    // Act
    const outcomes = [
      await store.putIfAbsent('p/request.json', '{"a":1}', JSON_TYPE),
      await store.putIfAbsent('p/request.json', '{"a":2}', JSON_TYPE),
    ];

    // Assess: when this fails, fauxqs honours the condition and the emulation can go
    expect(outcomes).toEqual(['created', 'created']);
    expect((await store.getBuffer('p/request.json')).toString()).toBe('{"a":2}');
  });

  it('creates a missing object, then leaves it byte for byte and answers "exists"', async () => {
    const store = new LocalS3ObjectStore(client, await bucket());

    const outcomes = [
      await store.putIfAbsent('p/request.json', '{"a":1}', JSON_TYPE),
      await store.putIfAbsent('p/request.json', '{"a":2}', { contentType: 'text/plain' }),
    ];

    expect(outcomes).toEqual(['created', 'exists']);
    expect((await store.getBuffer('p/request.json')).toString()).toBe('{"a":1}');
    expect((await store.head('p/request.json'))?.contentType).toBe('application/json');
  });

  it('lets exactly one of many concurrent writers to one key create it, whole', async () => {
    // Prepare
    const store = new LocalS3ObjectStore(client, await bucket());
    const bodies = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ writer: i, pad: 'x'.repeat(50_000) }),
    );

    // Act
    const outcomes = await Promise.all(
      bodies.map((body) => store.putIfAbsent('race/request.json', body, JSON_TYPE)),
    );

    // Assess
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    const winner = bodies[outcomes.indexOf('created')];
    expect((await store.getBuffer('race/request.json')).toString()).toBe(winner);
  });

  it('writes different keys independently', async () => {
    const store = new LocalS3ObjectStore(client, await bucket());

    const outcomes = await Promise.all([
      store.putIfAbsent('a.json', '{}', JSON_TYPE),
      store.putIfAbsent('b.json', '{}', JSON_TYPE),
    ]);

    expect(outcomes).toEqual(['created', 'created']);
  });
});
