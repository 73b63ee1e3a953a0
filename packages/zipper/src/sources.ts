import { Transform, type Readable } from 'node:stream';
import { describeValue } from '@toq/contracts/constants';
import { isReadable, type ZipEntry } from './entries';
import { ZipperError, messageOf } from './errors';
import type { FirstFailure } from './failure';

export function sizeMismatch(entryPath: string, expected: number, received: string): ZipperError {
  return new ZipperError(
    'SIZE_MISMATCH',
    `Entry ${JSON.stringify(entryPath)} has the wrong size: expected ${expected} bytes, but its source gave ${received}`,
    { entryPath },
  );
}

/**
 * Opens an entry's stream: the Readable itself, or what its function resolves to.
 *
 * @throws {ZipperError} `SOURCE_FAILED` when the function throws or rejects, `INVALID_ENTRY`
 *   when it resolves to something else than a Readable.
 */
export async function openSource(entry: ZipEntry, index: number): Promise<Readable> {
  const source = entry.source;
  if (typeof source !== 'function') return source as Readable;
  let stream: unknown;
  try {
    stream = await source();
  } catch (cause) {
    throw new ZipperError(
      'SOURCE_FAILED',
      `Entry ${JSON.stringify(entry.path)} could not be opened: ${messageOf(cause)}`,
      { cause, entryPath: entry.path },
    );
  }
  if (!isReadable(stream)) {
    throw new ZipperError(
      'INVALID_ENTRY',
      `Invalid entry #${index} (${JSON.stringify(entry.path)}): expected its source function to resolve to a Readable, but it resolved to ${describeValue(stream)}`,
      { entryPath: entry.path },
    );
  }
  return stream;
}

/** How far a source may run ahead of the archive, so that its reads overlap the zipping. */
const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * Pipes `stream` through a counter of its bytes and returns the counter, for archiver to read;
 * `onBytes` is told the count so far at every chunk (the idle timeout's progress). The run fails
 * with `SIZE_MISMATCH` as soon as the count disagrees with the entry's `size`, and with
 * `SOURCE_FAILED` when the stream errors or closes before its end (archiver would not notice: it
 * waits forever for a source that errored).
 *
 * Wired by hand rather than with `stream.pipeline`: a pipeline per entry costs an
 * `AbortController`, whose abort at the end builds a `DOMException` with its stack trace, and a
 * dozen listeners; on a listing's 2,000 small renditions, the zip took 10–20 % more CPU time
 * with it. The listeners stay on after the entry, so a late `error` from the source can never go
 * unhandled.
 */
export function countedSource(
  entry: ZipEntry,
  stream: Readable,
  failure: FirstFailure,
  onBytes: (count: number) => void,
): Readable {
  const { path, size } = entry;
  let count = 0;
  const counter = new Transform({
    writableHighWaterMark: READ_AHEAD_BYTES,
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      onBytes(count);
      if (size !== undefined && count > size) {
        callback(sizeMismatch(path, size, `more (${count} so far)`));
      } else {
        // Handing the chunk on in the same tick would run archiver's CRC-32 and its four stream
        // stages before the source is asked for its next chunk, so reading and zipping would
        // take turns; deferred, the source's next read (a file read, a socket) is already under
        // way while this chunk is zipped.
        setImmediate(callback, null, chunk);
      }
    },
    flush(callback) {
      callback(size !== undefined && count !== size ? sizeMismatch(path, size, `${count}`) : null);
    },
  });
  const failed = (error: Error) =>
    failure.fail(
      error instanceof ZipperError
        ? error
        : new ZipperError(
            'SOURCE_FAILED',
            `Entry ${JSON.stringify(path)} failed while being read: ${error.message}`,
            { cause: error, entryPath: path },
          ),
    );
  let ended = stream.readableEnded;
  stream.on('error', failed);
  stream.once('end', () => (ended = true));
  stream.once('close', () => {
    if (!ended) failed(prematureClose());
  });
  counter.on('error', failed);
  // A stream destroyed before its end (by its opener, say) will never close again: fail now.
  if (stream.destroyed && !ended) failed(stream.errored ?? prematureClose());
  stream.pipe(counter);
  return counter;
}

/** The error of a stream that closed before its end, as `stream.finished` reports it. */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
