/**
 * Module initialisation time of each function's bundle (dist/<fn>/index.mjs): one fresh Node
 * process per sample times `await import(bundle)` (parse, evaluate, cold-start config and
 * clients), as a Lambda cold start does before the first event, the functions taking turns round
 * after round. Goal: < 150 ms per function. Also the CPU time of the import, which a machine busy
 * with other work inflates less. `@aws-sdk/client-*` resolves from the workspace, standing in for
 * the runtime's copy.
 *
 * Usage: npm run bench (or: npx nx run lambdas:bench)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_ENV } from '../tests/bundle/function-env.ts';

const DIST = join(import.meta.dirname, '..', 'dist');
const SAMPLES = 9;
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

interface Target {
  readonly name: string;
  readonly specifier: string;
  readonly bytes: number;
}

/**
 * Samples every target once per round, round after round, so that a burst of other work on the
 * machine slows one sample of each target rather than all the samples of one.
 */
function measureAll(targets: readonly Target[]) {
  for (const target of targets) sample(target.specifier); // warm the OS file cache
  const samples = targets.map(() => [] as { wall: number; cpu: number }[]);
  for (let round = 0; round < SAMPLES; round += 1) {
    targets.forEach((target, i) => samples[i]?.push(sample(target.specifier)));
  }
  return targets.map((target, i) => {
    const taken = samples[i] ?? [];
    const wall = taken.map((s) => s.wall).sort((a, b) => a - b);
    const init = median(wall);
    return {
      function: target.name,
      'bundle KB': Math.round(target.bytes / 1024),
      'init median ms': Number(init.toFixed(1)),
      'min ms': Number((wall[0] ?? Number.NaN).toFixed(1)),
      'max ms': Number((wall.at(-1) ?? Number.NaN).toFixed(1)),
      'cpu median ms': Number(median(taken.map((s) => s.cpu)).toFixed(1)),
      'median / goal': Number((init / GOAL_MS).toFixed(2)),
    };
  });
}

const functions = readdirSync(DIST).filter((name) => !name.startsWith('.'));
const bundles = functions.map((fn) => {
  const bundle = join(DIST, fn, 'index.mjs');
  return { name: fn, specifier: bundle, bytes: statSync(bundle).size };
});
// For scale, in the same rounds: the runtime-provided S3 client every S3 function loads.
const sdk = { name: '(@aws-sdk/client-s3 alone)', specifier: '@aws-sdk/client-s3', bytes: 0 };
const table = measureAll([...bundles, sdk]);
const rows = table.slice(0, bundles.length);

console.log(
  `Module initialisation, ${SAMPLES} fresh processes per function (Node ${process.version}), goal < ${GOAL_MS} ms:`,
);
console.table(table);
const over = rows.filter((row) => row['init median ms'] >= GOAL_MS).map((row) => row.function);
console.log(
  over.length === 0
    ? `All ${rows.length} functions under ${GOAL_MS} ms.`
    : `Over ${GOAL_MS} ms: ${over.join(', ')}`,
);
