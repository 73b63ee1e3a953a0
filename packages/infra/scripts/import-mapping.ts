/**
 * `nx run infra:import-mapping -- --key-id <id> [--out file] [--context key=value…]`: writes the
 * `cdk import --resource-mapping` file that adopts the stage's existing resources (buckets, key
 * and alias, queues, roles), generated from the stack itself (src/import-mapping.ts), so no
 * hand-written mapping drifts from the names. Without `--out`, prints it. A user's mistake is
 * one line on stderr and exit 2.
 */
import { writeFileSync } from 'node:fs';

const USAGE =
  'usage: import-mapping --key-id <KMS key id> [--out <file>] [--context key=value]… (the key id: aws kms describe-key --key-id alias/toq-media-processing-<stage> --query KeyMetadata.KeyId)';

interface Options {
  keyId: string;
  out: string | undefined;
  context: Record<string, string>;
}

/** The options in `argv`, or the line that says why they are refused. */
function parse(argv: readonly string[]): Options | { refused: string } {
  let keyId: string | undefined;
  let out: string | undefined;
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const value = inline ?? argv[(i += 1)];
    if (!['--key-id', '--out', '--context', '-c'].includes(flag)) {
      return { refused: `import-mapping: unknown option "${arg}" (${USAGE})` };
    }
    if (value === undefined || value === '' || value.startsWith('-')) {
      return { refused: `import-mapping: ${flag} needs a value (${USAGE})` };
    }
    if (flag === '--key-id') keyId = value;
    else if (flag === '--out') out = value;
    else {
      const [key, ...rest] = value.split('=');
      if (key === undefined || key === '' || rest.length === 0) {
        return { refused: `import-mapping: --context expects key=value, received "${value}"` };
      }
      context[key] = rest.join('=');
    }
  }
  if (keyId === undefined) return { refused: `import-mapping: --key-id is required (${USAGE})` };
  return { keyId, out, context };
}

const options = parse(process.argv.slice(2));
if ('refused' in options) {
  process.stderr.write(`${options.refused}\n`);
  process.exit(2);
}
// Loaded once the options are good: aws-cdk-lib takes seconds to load.
const { createPipelineApp } = await import('../src/app.ts');
const { InfraError } = await import('../src/errors.ts');
const { importMapping } = await import('../src/import-mapping.ts');
try {
  const { stack } = createPipelineApp({ context: options.context });
  const json = `${JSON.stringify(importMapping(stack, options.keyId), null, 2)}\n`;
  if (options.out === undefined) process.stdout.write(json);
  else writeFileSync(options.out, json);
} catch (error) {
  if (!(error instanceof InfraError)) throw error;
  process.stderr.write(`import-mapping: ${error.message}\n`);
  process.exit(2);
}
