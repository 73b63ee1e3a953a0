import type { TestProject } from 'vitest/node';
import { startFauxqs } from 'fauxqs';

/**
 * Starts fauxqs (an in-process S3 + SQS server) on 127.0.0.1 with a random port for the whole
 * run; tests reach it through `inject('awsEndpoint')` (see `./aws.ts`). The S3 clients keep the
 * SDK's default checksum settings, as in production (docs: ../shared/notes/local-stand-ins.md §1).
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
