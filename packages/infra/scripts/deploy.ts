/**
 * `nx run infra:deploy` (and `nx affected -t deploy`): `cdk deploy` with only the options this
 * project knows. Nx hands every flag it does not know to the command, and `cdk deploy` ignores
 * flags it does not know either: `nx affected -t deploy --dry-run` would deploy for real. So an
 * unknown option stops here, with one line and exit 2, before cdk runs.
 *
 * Outside CI, cdk asks for approval of security-broadening changes (IAM, security groups); in CI
 * (`CI` set), where nobody can answer, it does not ask.
 *
 * `TOQ_CDK_BIN` names the cdk CLI's JavaScript entry to run instead of aws-cdk's (the tests use
 * it to see what would be run).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

const USAGE =
  'accepted: --context key=value (or -c), --profile name; to see what would deploy without deploying: npx nx run infra:diff';

/** The cdk arguments for `argv`, or the line that says why it is refused. */
function cdkArguments(argv: readonly string[]): { args: string[] } | { refused: string } {
  const options: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const name = { '--context': '--context', '-c': '--context', '--profile': '--profile' }[flag];
    if (name === undefined) return { refused: `deploy: unknown option "${arg}" (${USAGE})` };
    const value = inline ?? argv[(i += 1)];
    if (value === undefined || value === '' || value.startsWith('-')) {
      return { refused: `deploy: ${flag} needs a value (${USAGE})` };
    }
    if (name === '--context' && !/^[^=]+=/.test(value)) {
      return { refused: `deploy: --context expects key=value, received "${value}" (${USAGE})` };
    }
    options.push(name, value);
  }
  return { args: options };
}

/** aws-cdk's CLI entry, from its package.json. */
function defaultCdkBin(): string {
  const manifest = createRequire(import.meta.url).resolve('aws-cdk/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { cdk: string } };
  return join(dirname(manifest), bin.cdk);
}

const parsed = cdkArguments(process.argv.slice(2));
if ('refused' in parsed) {
  process.stderr.write(`${parsed.refused}\n`);
  process.exit(2);
}
const inCi = !['', '0', 'false'].includes((process.env['CI'] ?? '').toLowerCase());
const cdk = process.env['TOQ_CDK_BIN'] || defaultCdkBin();
const result = spawnSync(
  process.execPath,
  [cdk, 'deploy', '--require-approval', inCi ? 'never' : 'broadening', ...parsed.args],
  {
    stdio: 'inherit',
    // cdk.json runs `node src/main.ts`: this Node (which strips the types) comes first.
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
    },
  },
);
if (result.error) {
  process.stderr.write(`deploy: could not run cdk (${cdk}): ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
