import { packageTestConfig } from '../../vitest.shared.ts';

const config = packageTestConfig('local');

// aws-local-stepfunctions imports @aws-sdk/client-lambda, whose `module` export condition points
// at bundler-only ESM (extensionless imports) that Node cannot load: resolve like Node.
const conditions = ['@toq/source', 'node', 'import', 'default'];
config.resolve = { ...config.resolve, conditions };
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } };

export default config;
