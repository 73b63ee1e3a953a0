import { packageTestConfig } from '../../vitest.shared.ts';

const config = packageTestConfig('zipper');

// The AWS SDK's `module` export condition (used by the README's S3 example test) points at
// bundler-only ESM with extensionless imports that Node cannot load: resolve like Node instead.
const nodeConditions = ['@toq/source', 'node', 'import', 'default'];
config.resolve = { ...config.resolve, conditions: nodeConditions };
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: nodeConditions } };

export default config;
