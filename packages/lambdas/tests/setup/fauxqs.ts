import type { TestProject } from 'vitest/node';
import { startFauxqs } from 'fauxqs';

/**
 * Starts fauxqs (an in-process S3 + SQS server) on 127.0.0.1 with a random port for the whole
 * run; tests reach it through `inject('awsEndpoint')` (see `./aws.ts`). The S3 clients keep the
 * SDK's default checksum settings, as in production: fauxqs decodes the `aws-chunked` bodies the
 * SDK sends by default and keeps their CRC32 (s3rver, for one, silently stores the chunk framing
 * as the object unless checksums are cut to `WHEN_REQUIRED`). fauxqs answers both URL styles: the
 * tests' own clients are path-style (`forcePathStyle: true`, as a virtual-host name such as
 * `bucket.127.0.0.1` does not resolve), while the handlers and bundles keep the SDK's defaults,
 * virtual-hosted-style on `http://s3.localhost:PORT` with `*.localhost` resolved by fauxqs's
 * `interceptLocalhostDns()` (`./aws.ts`, `./localhost-dns.ts`).
 */
export default async function setup(project: TestProject) {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  project.provide('awsEndpoint', server.address);
  return async () => {
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}
