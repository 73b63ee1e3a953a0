import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Every executable named `name` on PATH, in PATH order. Not only the first: a pyenv `python3`
 * may come before the system's and lack the boto3 that Debian's python3-boto3 installed.
 *
 * @example
 * const pythons = everyOnPath('python3');
 */
export function everyOnPath(name: string): string[] {
  const paths = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  return [...new Set(paths.map((dir) => join(dir, name)))].filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
