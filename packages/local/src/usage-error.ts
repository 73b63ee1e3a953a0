/**
 * A mistake of the person running the command (a folder that is not there, an id the contracts
 * refuse, an endpoint that does not answer): `npm start` prints its message as one line, without
 * a stack, and exits 2. Thrown before anything is created or uploaded.
 *
 * @example
 * throw new UsageError(`No folder ${folder}`);
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
