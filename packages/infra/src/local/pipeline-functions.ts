import { z } from 'zod';
import { bundleListing } from '@toq/lambdas/src/domain/bundle-listing.ts';
import { consolidate } from '@toq/lambdas/src/domain/consolidate.ts';
import { parseInput } from '@toq/lambdas/src/domain/errors.ts';
import { notifyBackend, type RetryPolicy } from '@toq/lambdas/src/domain/notify-backend.ts';
import {
  FinishVideoInput,
  MediaTaskInput,
  finishVideo,
  renderPhoto,
} from '@toq/lambdas/src/domain/render-media.ts';
import { TaskContext } from '@toq/lambdas/src/domain/state-keys.ts';
import { buildTranscodeSettings } from '@toq/lambdas/src/domain/transcode-job.ts';
import { validateListing, type SizeLimits } from '@toq/lambdas/src/domain/validate-listing.ts';
import { correlationKeys } from '@toq/lambdas/src/logger.ts';
import type { ArchiveWriter } from '@toq/lambdas/src/ports/archive-writer.ts';
import type { Clock } from '@toq/lambdas/src/ports/clock.ts';
import type { ImageRenderer } from '@toq/lambdas/src/ports/image-renderer.ts';
import type { ObjectStore } from '@toq/lambdas/src/ports/object-store.ts';
import type { WebhookSender } from '@toq/lambdas/src/ports/webhook-sender.ts';
import type { FunctionId } from '../config.ts';
import type { LocalLog } from './local-logger.ts';

/** The functions a state machine task invokes (`start` is driven by the queue instead). */
export type TaskFunctionId = Exclude<FunctionId, 'start'>;

/** A function's handler as Lambda calls it: the payload in, the JSON result out. */
export type LocalFunction = (event: unknown) => Promise<unknown>;

/** What the functions are wired to locally: the same ports the handlers wire to AWS. */
export interface LocalFunctionDeps {
  /** The media bucket: the filesystem store, or S3 on a local S3-compatible server. */
  readonly store: ObjectStore;
  /** The bucket's name, as the transcode settings' `s3://` URLs spell it. */
  readonly bucket: string;
  readonly renderer: ImageRenderer;
  readonly archive: ArchiveWriter;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly log: LocalLog;
  readonly limits: SizeLimits;
  /** The callback function's own retries (default: the function's). */
  readonly webhookRetry?: RetryPolicy;
}

const BundleZipInput = z.object({ ctx: TaskContext });

/** `FinishVideo` payloads carry the transcode's result; `RenderPhoto` payloads do not. */
const isFinishVideo = (event: unknown) =>
  typeof event === 'object' && event !== null && 'transcode' in event;

/**
 * The six task functions, each composed as its handler in `packages/lambdas/src/handlers/`
 * composes it (same domain function, same payload parsing), with local adapters instead of AWS
 * clients: this is the local run's composition root.
 *
 * @example
 * const functions = localFunctions({ store, bucket, renderer, archive, sender, clock, log, limits });
 * await functions.validate({ request, executionName });
 */
export function localFunctions(deps: LocalFunctionDeps): Record<TaskFunctionId, LocalFunction> {
  const { store, log } = deps;
  const logger = (fn: TaskFunctionId, event: unknown) =>
    log.forFunction(fn, { ...correlationKeys(event) });
  return {
    validate: (event) =>
      validateListing(event, { store, logger: logger('validate', event), limits: deps.limits }),
    thumbnails: (event) => {
      const renderDeps = { store, renderer: deps.renderer, logger: logger('thumbnails', event) };
      return isFinishVideo(event)
        ? finishVideo(parseInput(FinishVideoInput, event, 'FinishVideo payload'), renderDeps)
        : renderPhoto(parseInput(MediaTaskInput, event, 'RenderPhoto payload'), renderDeps);
    },
    transcode: async (event) => {
      const input = parseInput(MediaTaskInput, event, 'PrepareTranscode payload');
      return { settings: buildTranscodeSettings(input, deps.bucket) };
    },
    zip: (event) =>
      bundleListing(parseInput(BundleZipInput, event, 'BundleZip payload'), {
        store,
        archive: deps.archive,
        logger: logger('zip', event),
      }),
    consolidate: (event) =>
      consolidate(event, { store, clock: deps.clock, logger: logger('consolidate', event) }),
    callback: (event) =>
      notifyBackend(
        event,
        { store, sender: deps.sender, clock: deps.clock, logger: logger('callback', event) },
        ...(deps.webhookRetry ? [deps.webhookRetry] : []),
      ),
  };
}
