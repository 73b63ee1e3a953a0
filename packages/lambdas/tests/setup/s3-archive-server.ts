import { createHash } from 'node:crypto';
import { XML, serveS3StandIn } from './s3-stand-in.ts';

/** One object the server holds, with what S3 tells of its archive state. */
export interface ArchiveServerObject {
  body: Buffer;
  /** `x-amz-storage-class`: absent for STANDARD, as S3 answers. */
  storageClass?: string;
  /** `x-amz-archive-status` (Intelligent-Tiering's archive tiers). */
  archiveStatus?: string;
  /** `x-amz-restore`, e.g. `ongoing-request="false", expiry-date="…"`. */
  restore?: string;
  tags: [string, string][];
}

/** One request the server received: `GET key?tagging`, `PUT key?tagging`, `HEAD key`, … */
export type ArchiveServerCall = string;

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unescape = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function isArchived(object: ArchiveServerObject): boolean {
  const archive =
    object.archiveStatus !== undefined ||
    object.storageClass === 'GLACIER' ||
    object.storageClass === 'DEEP_ARCHIVE';
  return archive && !(object.restore ?? '').includes('ongoing-request="false"');
}

/**
 * A local S3 REST stand-in for what fauxqs does not emulate: object tagging (fauxqs treats
 * `PUT ?tagging` as a PutObject of the XML) and archive storage classes (HEAD's
 * `x-amz-storage-class`, `x-amz-restore`, `x-amz-archive-status`; a GET of an unrestored
 * archived object answered 403 `InvalidObjectState`, as S3 answers it). Path-style, one bucket;
 * the real SDK client talks to it over HTTP, so serialisation and error parsing are the SDK's.
 * Answers HEAD, GET (with Range), GET/PUT `?tagging`; anything else is a 501, and every call is
 * recorded.
 */
export async function startS3ArchiveServer(bucket: string) {
  const objects = new Map<string, ArchiveServerObject>();
  const calls: ArchiveServerCall[] = [];
  const standIn = await serveS3StandIn(bucket, (req, res) => {
    const { url, key } = req;
    const tagging = url.searchParams.has('tagging');
    calls.push(`${req.method} ${key}${tagging ? '?tagging' : ''}`);
    const object = objects.get(key);
    if (object === undefined) {
      res.writeHead(404, XML);
      res.end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    if (tagging && req.method === 'GET') {
      const tags = object.tags
        .map(([k, v]) => `<Tag><Key>${escape(k)}</Key><Value>${escape(v)}</Value></Tag>`)
        .join('');
      res.writeHead(200, XML);
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet>${tags}</TagSet></Tagging>`);
      return;
    }
    if (tagging && req.method === 'PUT') {
      const xml = req.body.toString('utf8');
      object.tags = [...xml.matchAll(/<Tag><Key>(.*?)<\/Key><Value>(.*?)<\/Value><\/Tag>/g)].map(
        (m) => [unescape(m[1] ?? ''), unescape(m[2] ?? '')],
      );
      res.writeHead(200);
      res.end();
      return;
    }
    const etag = `"${createHash('md5').update(object.body).digest('hex')}"`;
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        'content-length': object.body.length,
        'content-type': 'application/octet-stream',
        etag,
        ...(object.storageClass ? { 'x-amz-storage-class': object.storageClass } : {}),
        ...(object.archiveStatus ? { 'x-amz-archive-status': object.archiveStatus } : {}),
        ...(object.restore ? { 'x-amz-restore': object.restore } : {}),
      });
      res.end();
      return;
    }
    if (req.method === 'GET' && isArchived(object)) {
      res.writeHead(403, XML);
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message><StorageClass>${object.storageClass ?? 'INTELLIGENT_TIERING'}</StorageClass></Error>`,
      );
      return;
    }
    if (req.method === 'GET') {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      const body = range
        ? object.body.subarray(Number(range[1]), Number(range[2]) + 1)
        : object.body;
      res.writeHead(range ? 206 : 200, {
        'content-length': body.length,
        'content-type': 'application/octet-stream',
        etag,
      });
      res.end(body);
      return;
    }
    res.writeHead(501, XML);
    res.end('<Error><Code>NotImplemented</Code></Error>');
  });
  return { objects, calls, ...standIn };
}
