import { packageTestConfig } from '../../vitest.shared.ts';

const config = packageTestConfig('zipper');

// The AWS SDK's `module` export condition (used by the README's S3 example test) points at
// bundler-only ESM with extensionless imports that Node cannot load: resolve like Node instead.
// ZIPPER_TEST_BUILD=1 runs the same tests on the built `dist` (archiver bundled with node:zlib's
// CRC-32 and node:stream, as published) instead of the sources (archiver from npm).
const nodeConditions = [
  ...(process.env.ZIPPER_TEST_BUILD === '1' ? [] : ['@toq/source']),
  'node',
  'import',
  'default',
];
config.resolve = { ...config.resolve, conditions: nodeConditions };
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: nodeConditions } };

export default config;
