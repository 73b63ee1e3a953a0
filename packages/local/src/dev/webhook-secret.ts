import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newWebhookSecret, webhookSecretProblem } from '../static-secret.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { UsageError } from '../usage-error.ts';

/** The environment variable that sets the signing secret of `npm run dev`. */
export const WEBHOOK_SECRET_ENV = 'TOQ_WEBHOOK_SECRET';

/** The file in the data folder that keeps a generated secret. */
export const WEBHOOK_SECRET_FILE = 'webhook-secret';

/** Where the secret in use came from. */
export type WebhookSecretSource = 'environment' | 'data folder' | 'generated';

/**
 * `secret`, when it is a Standard Webhooks signing secret (`webhookSecretProblem`).
 *
 * @throws {UsageError} naming `where` it came from, without quoting the value.
 */
function checkWebhookSecret(secret: string, where: string): string {
  const problem = webhookSecretProblem(secret);
  if (problem !== undefined) throw new UsageError(`${where} ${problem}`);
  return secret;
}

/**
 * The signing secret of the dev service: `TOQ_WEBHOOK_SECRET` when set, otherwise the one kept
 * in `{dataDir}/webhook-secret`, otherwise a new one, written there (mode 0600) so a restart
 * signs with the same secret.
 *
 * @throws {UsageError} when the variable or the file holds something else than a secret.
 * @example
 * const { secret, source } = await resolveWebhookSecret('.local/dev', process.env);
 */
export async function resolveWebhookSecret(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ secret: string; source: WebhookSecretSource }> {
  const fromEnv = env[WEBHOOK_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { secret: checkWebhookSecret(fromEnv, WEBHOOK_SECRET_ENV), source: 'environment' };
  }
  const file = join(dataDir, WEBHOOK_SECRET_FILE);
  let kept: string | undefined;
  try {
    kept = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== undefined) return { secret: checkWebhookSecret(kept, file), source: 'data folder' };
  const secret = newWebhookSecret();
  await writeFileAtomic(file, `${secret}\n`, { mode: 0o600 });
  return { secret, source: 'generated' };
}
