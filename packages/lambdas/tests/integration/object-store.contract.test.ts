import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs-object-store.ts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { TransientError } from '../../src/domain/errors.ts';
import { ObjectNotFoundError, type ObjectStore } from '../../src/ports/object-store.ts';
import { createTestBucket, localS3Client } from '../setup/aws.ts';
import { startS3ConditionalServer } from '../setup/s3-conditional-server.ts';

const MiB = 1024 * 1024;
/** S3's smallest allowed part: the multipart test streams a little over two of them. */
const PART_SIZE = 5 * MiB;

interface Subject {
  readonly store: ObjectStore;
  /** Whether the last multipart upload really went in parts (S3: the ETag ends in `-{parts}`). */
  readonly partsOf?: (etag: string | undefined) => number | undefined;
  readonly dispose: () => Promise<void>;
}

const subjects: Record<string, () => Promise<Subject>> = {
  S3ObjectStore: async () => {
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    return {
      store: new S3ObjectStore(client, bucket, { partSize: PART_SIZE, queueSize: 2, pageSize: 10 }),
      partsOf: (etag) => {
        const match = /-(\d+)"?$/.exec(etag ?? '');
        return match ? Number(match[1]) : undefined;
      },
      dispose: async () => client.destroy(),
    };
  },
  FsObjectStore: async () => {
    const root = await mkdtemp(join(tmpdir(), 'fs-object-store-'));
    return { store: new FsObjectStore(root), dispose: () => rm(root, { recursive: true }) };
  },
};

/** An unknown-length stream of `total` pseudo-random bytes in uneven chunks. */
function randomStream(total: number): { stream: Readable; sha256: string } {
  const data = randomBytes(total);
  const chunks: Buffer[] = [];
  for (let at = 0; at < total; at += 700_001) chunks.push(data.subarray(at, at + 700_001));
  return {
    stream: Readable.from(chunks),
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe.each(Object.keys(subjects))('ObjectStore contract: %s', (name) => {
  let subject: Subject;
  let store: ObjectStore;

  beforeAll(async () => {
    const make = subjects[name];
    if (!make) throw new Error(`no subject ${name}`);
    subject = await make();
    store = subject.store;
  });
  afterAll(async () => subject.dispose());

  it('puts a small object and reads it back with its size and content type', async () => {
    // Prepare
    const body = Buffer.from('{"hello":"world"}');

    // Act
    await store.put('a/record.json', body, { contentType: 'application/json' });

    // Assess
    expect(await store.head('a/record.json')).toMatchObject({
      key: 'a/record.json',
      size: body.length,
      contentType: 'application/json',
    });
    expect(await store.getBuffer('a/record.json')).toEqual(body);
    expect(await sha256Of(await store.getStream('a/record.json'))).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
  });

  it('overwrites an object with the new bytes', async () => {
    await store.put('a/over.txt', 'first version', { contentType: 'text/plain' });

    await store.put('a/over.txt', 'second', { contentType: 'text/plain' });

    expect((await store.getBuffer('a/over.txt')).toString()).toBe('second');
    expect((await store.head('a/over.txt'))?.size).toBe(6);
  });

  it('replaces the headers of an object, its bytes untouched', async () => {
    // Prepare
    const body = randomBytes(70_000);
    await store.put('b/video.mp4', body, { contentType: 'application/octet-stream' });

    // Act
    await store.setHeaders('b/video.mp4', {
      contentType: 'video/mp4',
      cacheControl: 'public, max-age=31536000, immutable',
    });

    // Assess
    expect(await store.head('b/video.mp4')).toMatchObject({
      size: body.length,
      contentType: 'video/mp4',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await store.getBuffer('b/video.mp4')).toEqual(body);
  });

  it('rejects new headers for a missing object with ObjectNotFoundError', async () => {
    await expect(
      store.setHeaders('b/missing.mp4', { contentType: 'video/mp4' }),
    ).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('reads a byte range, inclusive at both ends, and fewer bytes past the end', async () => {
    // Prepare
    const body = Buffer.from('0123456789');
    await store.put('a/digits.bin', body, { contentType: 'application/octet-stream' });

    // Act
    const middle = await store.getRange('a/digits.bin', 2, 5);
    const tail = await store.getRange('a/digits.bin', 8, 511);
    const beyond = await store.getRange('a/digits.bin', 20, 30);

    // Assess
    expect(middle.toString()).toBe('2345');
    expect(tail.toString()).toBe('89');
    expect(beyond.length).toBe(0);
  });

  it('reports a missing object as undefined from head and ObjectNotFoundError from reads', async () => {
    const key = 'nothing/here.jpg';

    expect(await store.head(key)).toBeUndefined();
    for (const read of [
      () => store.getBuffer(key),
      () => store.getStream(key),
      () => store.getRange(key, 0, 10),
    ]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect(error).toMatchObject({ name: 'ObjectNotFoundError', key });
      expect((error as Error).message).toBe(`No object at key "${key}"`);
    }
  });

  it('streams a body of unknown length larger than one part, byte for byte', async () => {
    // Prepare
    const total = 2 * PART_SIZE + 123_457;
    const { stream, sha256 } = randomStream(total);

    // Act
    const written = await store.putStream('big/video.mp4', stream, { contentType: 'video/mp4' });

    // Assess
    expect(written).toEqual({ bytes: total });
    const head = await store.head('big/video.mp4');
    expect(head).toMatchObject({ size: total, contentType: 'video/mp4' });
    if (subject.partsOf) expect(subject.partsOf(head?.etag)).toBe(3);
    expect(await sha256Of(await store.getStream('big/video.mp4'))).toBe(sha256);
  });

  it('streams a small body in one piece', async () => {
    const written = await store.putStream('small/one.txt', Readable.from([Buffer.from('tiny')]), {
      contentType: 'text/plain',
      cacheControl: 'max-age=60',
    });

    expect(written).toEqual({ bytes: 4 });
    expect((await store.getBuffer('small/one.txt')).toString()).toBe('tiny');
  });

  it('fails a streamed write whose body fails, leaving no object', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1000, 1);
        throw new Error('source broke');
      })(),
    );

    await expect(
      store.putStream('broken/x.bin', failing, { contentType: 'application/octet-stream' }),
    ).rejects.toThrow(/source broke/);
    expect(await store.head('broken/x.bin')).toBeUndefined();
  });

  it('lists every object under a prefix in key order, across pages', async () => {
    // Prepare: 70 keys (7 pages of 10 on S3, 3 of the folder store's 32) in reverse order, and
    // neighbours outside the prefix.
    const keys = Array.from({ length: 70 }, (_, i) => `list/p/${String(i).padStart(2, '0')}.txt`);
    for (const key of [...keys].reverse()) {
      await store.put(key, key, { contentType: 'text/plain' });
    }
    await store.put('list/q/outside.txt', 'x', { contentType: 'text/plain' });
    await store.put('list/p-sibling.txt', 'x', { contentType: 'text/plain' });

    // Act
    const listed = [];
    for await (const info of store.list('list/p/')) listed.push(info);

    // Assess
    expect(listed.map((info) => info.key)).toEqual(keys);
    expect(listed.every((info, i) => info.size === keys[i]?.length)).toBe(true);
  });

  it('lists by the prefix as a string, not as a folder: a partial name matches its siblings', async () => {
    await store.put('partial/photo/a.txt', 'x', { contentType: 'text/plain' });
    await store.put('partial/photos.txt', 'x', { contentType: 'text/plain' });
    await store.put('partial/video/b.txt', 'x', { contentType: 'text/plain' });

    const listed = [];
    for await (const info of store.list('partial/photo')) listed.push(info.key);

    expect(listed).toEqual(['partial/photo/a.txt', 'partial/photos.txt']);
  });

  it('lists nothing under a prefix with no objects', async () => {
    const listed = [];
    for await (const info of store.list('no-such-prefix/')) listed.push(info);
    expect(listed).toEqual([]);
  });
});

/**
 * `putIfAbsent`'s contract. fauxqs ignores `If-None-Match` on PutObject (it overwrites), so the
 * S3 adapter is held to it on a stand-in that answers as S3 does (`s3-conditional-server.ts`);
 * the local run's S3 store emulates it on fauxqs (packages/local).
 */
const createOnlySubjects: Record<
  string,
  () => Promise<{ store: ObjectStore; dispose: () => Promise<void> }>
> = {
  'S3ObjectStore (S3 conditional writes)': async () => {
    const server = await startS3ConditionalServer('media');
    const client = server.client();
    return {
      store: new S3ObjectStore(client, 'media'),
      dispose: async () => {
        client.destroy();
        await server.close();
      },
    };
  },
  FsObjectStore: async () => {
    const root = await mkdtemp(join(tmpdir(), 'fs-object-store-'));
    return { store: new FsObjectStore(root), dispose: () => rm(root, { recursive: true }) };
  },
};

describe.each(Object.keys(createOnlySubjects))('ObjectStore.putIfAbsent contract: %s', (name) => {
  let store: ObjectStore;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const make = createOnlySubjects[name];
    if (!make) throw new Error(`no subject ${name}`);
    ({ store, dispose } = await make());
  });
  afterAll(async () => dispose());

  it('creates a missing object, then leaves it byte for byte and answers "exists"', async () => {
    // Act
    const first = await store.putIfAbsent('p/request.json', '{"a":1}', {
      contentType: 'application/json',
    });
    const second = await store.putIfAbsent('p/request.json', '{"a":2}', {
      contentType: 'text/plain',
    });

    // Assess
    expect([first, second]).toEqual(['created', 'exists']);
    expect((await store.getBuffer('p/request.json')).toString()).toBe('{"a":1}');
    expect(await store.head('p/request.json')).toMatchObject({
      size: 7,
      contentType: 'application/json',
    });
  });

  it('lets exactly one of many concurrent writers to one key create it, whole', async () => {
    // Act
    const bodies = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ writer: i, pad: 'x'.repeat(50_000) }),
    );
    const outcomes = await Promise.all(
      bodies.map((body) =>
        store.putIfAbsent('race/request.json', body, { contentType: 'application/json' }),
      ),
    );

    // Assess
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists')).toHaveLength(7);
    const winner = bodies[outcomes.indexOf('created')];
    expect((await store.getBuffer('race/request.json')).toString()).toBe(winner);
  });

  it('does not mistake an object at another key for this one', async () => {
    await store.put('q/a.json', 'a', { contentType: 'application/json' });

    expect(await store.putIfAbsent('q/b.json', 'b', { contentType: 'application/json' })).toBe(
      'created',
    );
  });
});

describe('FsObjectStore', () => {
  it.each(['../escape.txt', '/abs.txt', 'a//b.txt', 'a/./b.txt', '.object-meta/x.json', ''])(
    'rejects the key %j, which would leave the bucket tree or hit its bookkeeping',
    async (key) => {
      const root = await mkdtemp(join(tmpdir(), 'fs-object-store-'));
      const store = new FsObjectStore(root);

      await expect(store.put(key, 'x', { contentType: 'text/plain' })).rejects.toThrow(
        /Invalid object key: expected a relative path/,
      );
      await rm(root, { recursive: true });
    },
  );

  it('gives headers and an ETag (the MD5 of its bytes, as S3) to a file written beside the store', async () => {
    // Prepare: a file the store did not write, as a tool writing into the local bucket would
    const root = await mkdtemp(join(tmpdir(), 'fs-object-store-'));
    const body = randomBytes(10_000);
    await mkdir(join(root, 'v'));
    await writeFile(join(root, 'v', 'clip.mp4'), body);
    const store = new FsObjectStore(root);

    // Act
    await store.setHeaders('v/clip.mp4', { contentType: 'video/mp4', cacheControl: 'no-cache' });

    // Assess
    expect(await store.head('v/clip.mp4')).toEqual({
      key: 'v/clip.mp4',
      size: body.length,
      contentType: 'video/mp4',
      cacheControl: 'no-cache',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    });
    await rm(root, { recursive: true });
  });
});

describe('S3ObjectStore', () => {
  it('turns an unreachable server into a TransientError', async () => {
    // Prepare: port 9 (discard) on loopback has no listener here.
    const { S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const store = new S3ObjectStore(client, 'media');

    // Act
    const error = await store.getBuffer('a/b.json').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ name: 'TransientError' });
    expect((error as Error).message).toMatch(/S3 GetObject of "a\/b.json" failed .*worth retrying/);
  });
});

describe('S3ObjectStore.putIfAbsent', () => {
  it("turns S3's 409 ConditionalRequestConflict (a concurrent conditional write) into a TransientError", async () => {
    // Prepare
    const server = await startS3ConditionalServer('media');
    const client = server.client();
    server.state.conflicts = 1;

    // Act
    const error = await new S3ObjectStore(client, 'media')
      .putIfAbsent('a/request.json', '{}', { contentType: 'application/json' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /^S3 conditional PutObject of "a\/request.json" met a concurrent write \(ConditionalRequestConflict\); worth retrying$/,
    );
    expect(server.objects.size).toBe(0);
    client.destroy();
    await server.close();
  });
});
