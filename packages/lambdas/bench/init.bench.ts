/**
 * Module initialisation time of each function's bundle (dist/<fn>/index.mjs): a fresh Node
 * process per sample times `await import(bundle)` (parse, evaluate, cold-start config and
 * clients), as a Lambda cold start does before the first event. Goal: < 150 ms per function.
 * Also the CPU time of the import, which a machine busy with other work inflates less.
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

/** One cold import: wall-clock ms, and the CPU ms it used (less sensitive to a busy machine). */
function sample(specifier: string): { wall: number; cpu: number } {
  const script = `const t = performance.now(); const c = process.cpuUsage(); await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', ...FUNCTION_ENV },
    encoding: 'utf8',
  });
  const [wall, cpu] = out.trim().split(' ').map(Number);
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

function measure(name: string, specifier: string, bytes: number) {
  sample(specifier); // warm the OS file cache
  const samples = Array.from({ length: SAMPLES }, () => sample(specifier));
  const wall = samples.map((s) => s.wall).sort((a, b) => a - b);
  const init = median(wall);
  return {
    function: name,
    'bundle KB': Math.round(bytes / 1024),
    'init median ms': Number(init.toFixed(1)),
    'min ms': Number((wall[0] ?? Number.NaN).toFixed(1)),
    'max ms': Number((wall.at(-1) ?? Number.NaN).toFixed(1)),
    'cpu median ms': Number(median(samples.map((s) => s.cpu)).toFixed(1)),
    'median / goal': Number((init / GOAL_MS).toFixed(2)),
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
