/**
 * Module initialisation time of each function's bundle (dist/<fn>/index.mjs): a fresh Node
 * process per sample times `await import(bundle)` (parse, evaluate, cold-start config and
 * clients), as a Lambda cold start does before the first event. Goal: < 150 ms per function.
 * `@aws-sdk/client-*` resolves from the workspace, standing in for the runtime's copy.
 *
 * Usage: npm run bench (or: npx nx run lambdas:bench)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_ENV } from '../tests/bundle/function-env.ts';

const DIST = join(import.meta.dirname, '..', 'dist');
const SAMPLES = 7;
const GOAL_MS = 150;

function sample(specifier: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', ...FUNCTION_ENV },
    encoding: 'utf8',
  });
  return Number(out.trim());
}

function measure(name: string, specifier: string, bytes: number) {
  sample(specifier); // warm the OS file cache
  const times = Array.from({ length: SAMPLES }, () => sample(specifier)).sort((a, b) => a - b);
  const median = times[Math.floor(SAMPLES / 2)] ?? Number.NaN;
  return {
    function: name,
    'bundle KB': Math.round(bytes / 1024),
    'init median ms': Number(median.toFixed(1)),
    'min ms': Number((times[0] ?? Number.NaN).toFixed(1)),
    'max ms': Number((times.at(-1) ?? Number.NaN).toFixed(1)),
    'median / goal': Number((median / GOAL_MS).toFixed(2)),
  };
}

const functions = readdirSync(DIST).filter((name) => !name.startsWith('.'));
const rows = functions.map((fn) => {
  const bundle = join(DIST, fn, 'index.mjs');
  return measure(fn, bundle, statSync(bundle).size);
});
// For scale, in the same run: the share of the runtime-provided S3 client every S3 function loads.
const sdk = measure('(@aws-sdk/client-s3 alone)', '@aws-sdk/client-s3', 0);

console.log(
  `Module initialisation, ${SAMPLES} fresh processes per function (Node ${process.version}), goal < ${GOAL_MS} ms:`,
);
console.table([...rows, sdk]);
const over = rows.filter((row) => row['init median ms'] >= GOAL_MS).map((row) => row.function);
console.log(
  over.length === 0
    ? `All ${rows.length} functions under ${GOAL_MS} ms.`
    : `Over ${GOAL_MS} ms: ${over.join(', ')}`,
);
