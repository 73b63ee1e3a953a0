// @ts-check
import root from '../../eslint.config.js';

/**
 * The hexagon's rule: the domain and the ports stay pure. They never reach the AWS SDK, native
 * or I/O libraries, the filesystem, the adapters or the handlers (tests/unit/architecture.test.ts
 * checks the same from the source).
 */
const forbidden = {
  paths: [
    { name: 'node:fs', message: 'The domain does no I/O: use the ObjectStore port.' },
    { name: 'node:fs/promises', message: 'The domain does no I/O: use the ObjectStore port.' },
    { name: 'fs', message: 'The domain does no I/O: use the ObjectStore port.' },
    { name: 'fs/promises', message: 'The domain does no I/O: use the ObjectStore port.' },
    { name: 'node:http', message: 'The domain does no I/O: use a port.' },
    { name: 'node:https', message: 'The domain does no I/O: use a port.' },
    { name: 'node:net', message: 'The domain does no I/O: use a port.' },
    { name: 'node:dns', message: 'The domain does no I/O: use a port.' },
    { name: 'node:child_process', message: 'The domain does no I/O: use a port.' },
    { name: 'sharp', message: 'Rendering is behind the ImageRenderer port.' },
    { name: 'archiver', message: 'Archiving is behind the ArchiveWriter port.' },
    { name: '@toq/thumbnails', message: 'Rendering is behind the ImageRenderer port.' },
    { name: '@toq/zipper', message: 'Archiving is behind the ArchiveWriter port.' },
    { name: '@aws-lambda-powertools/logger', message: 'Logging is behind the Logger port.' },
    {
      name: 'aws-lambda',
      message:
        'The domain keeps its own minimal shapes; Lambda’s types belong in functions/ and handlers/.',
    },
  ],
  patterns: [
    { group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK belongs in adapters/.' },
    { group: ['**/adapters/*', '**/handlers/*'], message: 'The domain depends on ports only.' },
    {
      group: ['../config', '../config.ts', '../logger', '../logger.ts'],
      message: 'Configuration and logging are wired in handlers/.',
    },
  ],
};

/**
 * The functions' factories are wired by their callers (a Lambda entry in handlers/, or the local
 * run): they read no environment and build no client, so the package entry loads anywhere.
 */
const wiredByCaller = {
  patterns: [
    { group: ['@aws-sdk/*', '@smithy/*'], message: 'SDK clients are built in handlers/.' },
    { group: ['**/adapters/*', '**/handlers/*'], message: 'Adapters are passed in as deps.' },
    { group: ['../config', '../config.ts'], message: 'Config values are passed in as deps.' },
    {
      group: ['../logger', '../logger.ts', '@aws-lambda-powertools/*'],
      message: 'The Powertools logger is wired in handlers/: take an InvocationLogger.',
    },
  ],
};

export default [
  ...root,
  {
    files: ['src/functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', wiredByCaller],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Configuration is parsed in handlers/ and passed in.' },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', forbidden],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Configuration is parsed in config.ts and passed in.' },
        { name: 'fetch', message: 'The domain does no I/O: use a port.' },
      ],
    },
  },
];
