/**
 * Writes `schemas/<name>.json`, the JSON Schemas generated from the built package's zod schemas
 * (run by the `build` target, after tsup, so each `$id` carries the version in package.json at
 * build time: `https://unpkg.com/@toq/contracts@{version}/schemas/<name>.json`). Files already up to date are left alone. On CI
 * (`CI` set) it refuses to change anything: a change there means the committed schemas are stale,
 * and the build fails saying which files to regenerate and commit.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JSON_SCHEMA_NAMES, jsonSchema } from '@toq/contracts';

const folder = join(import.meta.dirname, '..', 'schemas');
await mkdir(folder, { recursive: true });

const wanted = new Map(
  JSON_SCHEMA_NAMES.map((name) => [
    `${name}.json`,
    `${JSON.stringify(jsonSchema(name), null, 2)}\n`,
  ]),
);
const changed: string[] = [];
for (const [file, text] of wanted) {
  const current = await readFile(join(folder, file), 'utf8').catch(() => undefined);
  if (current !== text) changed.push(file);
}
const extra = (await readdir(folder)).filter((file) => !wanted.has(file));

if (process.env.CI && changed.length + extra.length > 0) {
  console.error(
    `packages/contracts/schemas is stale (${[...changed, ...extra.map((f) => `${f} (extra)`)].join(', ')}): ` +
      'run `npx nx build contracts` and commit packages/contracts/schemas.',
  );
  process.exit(1);
}
for (const file of changed) await writeFile(join(folder, file), wanted.get(file) ?? '');
for (const file of extra) await rm(join(folder, file));
console.log(
  changed.length + extra.length === 0
    ? `schemas: ${wanted.size} JSON Schemas up to date`
    : `schemas: wrote ${changed.join(', ') || 'nothing'}${extra.length ? `; removed ${extra.join(', ')}` : ''}`,
);
