// README example: a bundle streamed into an HTTP response as it is made.
// Tested in tests/integration/streaming.test.ts.
import { createZip, type ZipEntry } from '@toq/zipper';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request handler that answers with a zip of the entries `entriesFor(request)` gives. The
 * status and headers go out before the first entry is read, so a failure midway can only cut the
 * response off (createZip destroys it): the client sees a broken download, never a short zip.
 */
export function zipHandler(
  entriesFor: (request: IncomingMessage) => AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  onError: (error: unknown) => void = console.error,
) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, {
      'content-type': 'application/zip',
      'content-disposition': 'attachment; filename="bundle.zip"',
    });
    createZip(entriesFor(request), response).catch(onError);
  };
}
