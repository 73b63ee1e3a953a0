import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROJECT = join(import.meta.dirname, '../..');
const NODE = join(PROJECT, '../../node_modules/.bin/node');

/** What the package's callers must never load by importing the entry (Powertools: handlers only). */
const HEAVY = /\/node_modules\/(@aws-sdk|@smithy|sharp|@img|@aws-lambda-powertools)\//;

/**
 * Imports `specifier` in a fresh Node (the sources, through tsx and the `@toq/source` condition,
 * as `packages/local` runs them) and returns its exports and every module resolved on the way
 * (a resolve hook sees `import` and `require` alike).
 */
function load(specifier: string): { exports: string[]; loaded: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); loaded.push(found.url); return found; } });
    const entry = await import(${JSON.stringify(specifier)});
    console.log(JSON.stringify({ exports: Object.keys(entry), loaded }));
  `;
  const out = execFileSync(
    NODE,
    ['--import', 'tsx', '--conditions=@toq/source', '--input-type=module', '-e', script],
    { cwd: PROJECT, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    exports: string[];
    loaded: string[];
  };
}

describe('the package entry and its subpaths', () => {
  it('@toq/lambdas gives the factories and loads neither the AWS SDK, sharp nor Powertools', () => {
    // Act
    const { exports, loaded } = load('@toq/lambdas');

    // Assess
    expect(exports).toEqual(
      expect.arrayContaining([
        'createStartHandler',
        'createValidateHandler',
        'createThumbnailsHandler',
        'createTranscodeHandler',
        'createZipHandler',
        'createConsolidateHandler',
        'createCallbackHandler',
        'FsObjectStore',
        'systemClock',
      ]),
    );
    expect(loaded.length).toBeGreaterThan(10);
    expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
  }, 30_000);

  it.each([
    ['@toq/lambdas/s3', 'S3ObjectStore', /\/node_modules\/@aws-sdk\/client-s3\//],
    [
      '@toq/lambdas/dead-letter-queue',
      'SqsDeadLetterQueue',
      /\/node_modules\/@aws-sdk\/client-sqs\//,
    ],
    ['@toq/lambdas/renderer', 'ThumbnailsRenderer', /\/node_modules\/sharp\//],
    ['@toq/lambdas/archive', 'ZipperArchiveWriter', /\/packages\/zipper\//],
    ['@toq/lambdas/webhook-sender', 'HttpWebhookSender', /\/node_modules\/standardwebhooks\//],
    ['@toq/lambdas/webhook-receiver', 'startWebhookReceiver', /\/node_modules\/standardwebhooks\//],
  ])(
    '%s gives %s, with what it needs (the probe sees it load)',
    (specifier, name, needs) => {
      // Act
      const { exports, loaded } = load(specifier);

      // Assess
      expect(exports).toContain(name);
      expect(loaded.some((url) => needs.test(url))).toBe(true);
    },
    30_000,
  );
});
