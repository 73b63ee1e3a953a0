import { interceptLocalhostDns } from 'fauxqs';

/**
 * Preloaded (`node --import`) into a child process that runs a built bundle against fauxqs:
 * every `*.localhost` name resolves to 127.0.0.1 there, so the SDK's default virtual-hosted
 * requests (`http://<bucket>.s3.localhost:PORT/<key>`, endpoint from `virtualHostedS3Endpoint()`
 * of `./aws.ts`) reach the server. Test-only: the bundle itself is untouched.
 */
interceptLocalhostDns();
