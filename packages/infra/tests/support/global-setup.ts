import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory for the run's synthesized assemblies, removed when the run ends. */
    infraScratchDir: string;
  }
}

/**
 * Once per run, in vitest's main process: the scratch directory that the shared staging synth
 * (`support/staging.ts`) writes into. Removed here at the end, since no test file knows whether
 * it is the last to use that synth.
 */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'toq-infra-tests-'));
  project.provide('infraScratchDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
