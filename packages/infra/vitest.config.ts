import { packageTestConfig } from '../../vitest.shared.ts';

const config = packageTestConfig('infra');

// aws-local-stepfunctions imports @aws-sdk/client-lambda, whose `module` export condition points
// at bundler-only ESM (extensionless imports) that Node cannot load: resolve like Node.
const conditions = ['@toq/source', 'node', 'import', 'default'];
config.resolve = { ...config.resolve, conditions };
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } };

// Synthesizing the stack is the slow part of this project's tests. Its files run without isolation,
// so a worker loads aws-cdk-lib and synthesizes staging once (tests/support/staging.ts) for every
// file it runs, instead of once per file; the global setup makes and removes the synth's directory.
config.test = {
  ...config.test,
  isolate: false,
  globalSetup: ['tests/support/global-setup.ts'],
};

export default config;
