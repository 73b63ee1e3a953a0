import { describe, expect, it } from 'vitest';
import { ZIPPER_ERROR_CODES } from '@toq/zipper';
import { errorTableCodes, fileBlocks, runnableExamples } from '../support/readme.ts';

describe('the README', () => {
  it('shows examples/s3.ts and examples/http.ts as they are (their tests cover them)', () => {
    const blocks = fileBlocks();

    expect(blocks.map((b) => b.name)).toEqual(['examples/s3.ts', 'examples/http.ts']);
    for (const block of blocks) expect(block.code).toBe(block.file);
  });

  it('has runnable examples with the output they print (run by the pack test)', () => {
    const examples = runnableExamples();

    expect(examples.map((e) => e.name)).toEqual(['basic.mts', 'read-ahead.mts']);
    expect(examples.every((e) => e.expected.length > 0)).toBe(true);
  });

  it('documents every error code, in the order of ZIPPER_ERROR_CODES', () => {
    expect(errorTableCodes()).toEqual([...ZIPPER_ERROR_CODES]);
  });
});
