import { createHash } from 'node:crypto';
import { XML, serveS3StandIn } from './s3-stand-in.ts';

function s3Error(status: number, code: string, message: string) {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

/**
 * A local S3 REST stand-in for what fauxqs does not emulate: conditional writes. fauxqs stores a
 * `PutObject` with `If-None-Match: *` over the object already there; S3 answers 412
 * `PreconditionFailed` and keeps the object, and 409 `ConditionalRequestConflict` while another
 * conditional write to the key is in flight (`conflicts`: how many PUTs to answer so next).
 * Path-style, one bucket; the real SDK client talks to it over HTTP, so serialisation and error
 * parsing are the SDK's. Answers PUT, GET and HEAD of an object; anything else is a 501.
 */
export async function startS3ConditionalServer(bucket: string) {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const state = { conflicts: 0 };
  const standIn = await serveS3StandIn(
    bucket,
    (req, res) => {
      const { key } = req;
      const object = objects.get(key);
      const answer = (status: number, body?: string) => {
        res.writeHead(status, XML);
        res.end(body);
      };
      if (req.method === 'PUT') {
        if (state.conflicts > 0) {
          state.conflicts -= 1;
          const error = s3Error(
            409,
            'ConditionalRequestConflict',
            'A conflicting conditional operation is currently in progress against this resource.',
          );
          answer(error.status, error.body);
          return;
        }
        if (req.headers['if-none-match'] === '*' && object !== undefined) {
          const error = s3Error(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
          answer(error.status, error.body);
          return;
        }
        const body = req.body;
        objects.set(key, {
          body,
          contentType: req.headers['content-type'] ?? 'application/octet-stream',
        });
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        res.end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        answer(501, '<Error><Code>NotImplemented</Code></Error>');
        return;
      }
      if (object === undefined) {
        answer(404, req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      res.writeHead(200, {
        'content-length': object.body.length,
        'content-type': object.contentType,
        etag: `"${createHash('md5').update(object.body).digest('hex')}"`,
      });
      res.end(req.method === 'HEAD' ? undefined : object.body);
    },
    // Checksums only where required: the server keeps bodies as sent, and takes no
    // `aws-chunked` framing.
    { requestChecksumCalculation: 'WHEN_REQUIRED' },
  );
  return { objects, state, ...standIn };
}
