import { packageTestConfig } from '../../vitest.shared.ts';

const config = packageTestConfig('lambdas', {
  test: { globalSetup: ['./tests/setup/fauxqs.ts'] },
});

// The AWS SDK's `module` export condition points at bundler-only ESM (extensionless imports) that
// Node cannot load; resolve like Node (and like the Lambda runtime) instead.
const nodeConditions = ['@toq/source', 'node', 'import', 'default'];
config.resolve = { ...config.resolve, conditions: nodeConditions };
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: nodeConditions } };

export default config;
