import * as z from 'zod';
import {
  ItemFailure,
  MediaExtension,
  MediaId,
  PhotoRenditionsResult,
  RENDITION_CONTENT_TYPES,
  RENDITION_SIZES,
  parse,
  rawKey,
  renditionKey,
  type MediaErrorCode,
  VideoOutputsResult,
  type Rendition,
} from '@toq/contracts';
import type { Logger } from '../ports/logger.ts';
import {
  ObjectNotFoundError,
  SET_HEADERS_MAX_BYTES,
  type ObjectStore,
} from '../ports/object-store.ts';
import {
  UnrenderableImageError,
  type ImageRenderer,
  type RenderResult,
} from '../ports/image-renderer.ts';
import type { OutputGroupDetail } from './media-convert-job.ts';
import { InvalidRequestError, parseInput } from './errors.ts';
import { MediaTaskInput } from './media-task.ts';
import { TaskContext, frameStateKey, itemStateKey } from './state-keys.ts';
import { frameCaptureKey, readTranscodeOutputs, transcodeOutputKeys } from './transcode.ts';
import { choosePoster } from './video-poster.ts';
import { declaredDurationSeconds, truncationOf } from './video-duration.ts';

export { MediaTaskInput };

/** `FinishVideo`'s payload: the item, and what the `Transcode` state's `ResultSelector` kept. */
export const FinishVideoInput = z.object({
  ctx: TaskContext,
  mediaType: z.literal('video'),
  mediaId: MediaId,
  ext: MediaExtension,
  transcode: z.object({
    jobId: z.string().min(1),
    outputGroupDetails: z.array(z.looseObject({})).default([]),
  }),
});
export type FinishVideoInput = z.output<typeof FinishVideoInput>;

/**
 * The `thumbnails` function's payload: a `FinishVideo` one when it carries the transcode's result,
 * else a `RenderPhoto` one; each is reported under its own name when it does not parse.
 */
export const ThumbnailsInput = z
  .unknown()
  .transform((event): FinishVideoInput | MediaTaskInput =>
    typeof event === 'object' && event !== null && 'transcode' in event
      ? parseInput(FinishVideoInput, event, 'FinishVideo payload')
      : parseInput(MediaTaskInput, event, 'RenderPhoto payload'),
  );
export type ThumbnailsInput = z.output<typeof ThumbnailsInput>;

/** What a Map iteration returns; the details are in `items/{mediaId}.json`. */
export interface ItemOutcome {
  readonly mediaId: string;
  readonly status: 'succeeded' | 'failed';
}

/** Renditions never change once written (a new upload gets a new media id): cache them forever. */
export const RENDITION_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** What rendering needs from the outside world. */
export interface RenderDeps {
  readonly store: ObjectStore;
  readonly renderer: ImageRenderer;
  readonly logger: Logger;
}

class ItemProblem extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

async function readSource(store: ObjectStore, key: string, what: string) {
  try {
    return await store.getStream(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      throw new ItemProblem('OBJECT_NOT_FOUND', `No ${what} at "${key}"`);
    }
    throw error;
  }
}

async function renderFrom(deps: RenderDeps, key: string, what: string): Promise<RenderResult> {
  const source = await readSource(deps.store, key, what);
  try {
    return await deps.renderer.render(source);
  } catch (error) {
    if (error instanceof UnrenderableImageError) throw new ItemProblem(error.code, error.message);
    throw error;
  } finally {
    source.destroy();
  }
}

/**
 * Writes every rendition to its key and describes it, smallest first; the four uploads run side
 * by side.
 */
async function writeRenditions(
  store: ObjectStore,
  input: MediaTaskInput,
  rendered: RenderResult,
): Promise<Rendition[]> {
  const smallestFirst = [...rendered.renditions].sort(
    (a, b) => RENDITION_SIZES.indexOf(a.size) - RENDITION_SIZES.indexOf(b.size),
  );
  return Promise.all(
    smallestFirst.map(async (image) => {
      const key = renditionKey({
        listingId: input.ctx.listingId,
        mediaType: input.mediaType,
        size: image.size,
        mediaId: input.mediaId,
        ext: image.ext,
      });
      const contentType = RENDITION_CONTENT_TYPES[image.ext];
      await store.put(key, image.data, { contentType, cacheControl: RENDITION_CACHE_CONTROL });
      return {
        size: image.size,
        key,
        ext: image.ext,
        contentType,
        width: image.width,
        height: image.height,
        bytes: image.data.length,
      };
    }),
  );
}

async function record(
  store: ObjectStore,
  input: MediaTaskInput,
  item: PhotoRenditionsResult | VideoOutputsResult | ItemFailure,
): Promise<void> {
  await store.put(itemStateKey(input.ctx, input.mediaId), JSON.stringify(item), {
    contentType: 'application/json',
  });
}

/**
 * Runs `work`; an item problem (missing object, undecodable image, missing MP4) is recorded as
 * the item's `ItemFailure` and returned as a failed outcome. Anything else (storage trouble)
 * propagates, for Step Functions to retry.
 */
async function asOutcome(
  input: MediaTaskInput,
  deps: RenderDeps,
  work: () => Promise<PhotoRenditionsResult | VideoOutputsResult>,
): Promise<ItemOutcome> {
  let item: PhotoRenditionsResult | VideoOutputsResult | ItemFailure;
  try {
    item = await work();
  } catch (error) {
    if (!(error instanceof ItemProblem)) throw error;
    deps.logger.warn('Item failed', {
      mediaId: input.mediaId,
      code: error.code,
      reason: error.message,
    });
    item = parse(ItemFailure, {
      mediaId: input.mediaId,
      mediaType: input.mediaType,
      error: { code: error.code, message: error.message.slice(0, 1000) },
    });
  }
  await record(deps.store, input, item);
  const status = 'error' in item ? 'failed' : 'succeeded';
  deps.logger.info('Item recorded', { mediaId: input.mediaId, status });
  return { mediaId: input.mediaId, status };
}

/**
 * `RenderPhoto`: streams one photo's raw upload through the renderer, writes its four renditions
 * to `renditionKey(...)` (Content-Type of the format written, immutable Cache-Control), records
 * the `PhotoRenditionsResult` (or the `ItemFailure`) at `items/{mediaId}.json`.
 *
 * @throws whatever the store throws (`TransientError`): a retry rewrites the same keys.
 */
export async function renderPhoto(input: MediaTaskInput, deps: RenderDeps): Promise<ItemOutcome> {
  if (input.mediaType !== 'photo') {
    throw new InvalidRequestError(`RenderPhoto takes photos, received a ${input.mediaType}`);
  }
  return asOutcome(input, deps, async () => {
    const rendered = await renderFrom(
      deps,
      rawKey({
        listingId: input.ctx.listingId,
        mediaType: input.mediaType,
        mediaId: input.mediaId,
        ext: input.ext,
      }),
      'raw photo',
    );
    return parse(PhotoRenditionsResult, {
      mediaId: input.mediaId,
      mediaType: 'photo',
      source: rendered.source,
      renditions: await writeRenditions(deps.store, input, rendered),
      ...(rendered.placeholder === undefined ? {} : { placeholder: rendered.placeholder }),
    });
  });
}

/**
 * Compares the MP4's duration with the one the raw upload's container declares: an upload cut
 * short can still decode (an MP4 cut in half with `moov` first gives half a video), and must not
 * be recorded as succeeded.
 */
async function checkNotTruncated(
  store: ObjectStore,
  input: FinishVideoInput,
  transcodedSeconds: number | undefined,
): Promise<void> {
  if (transcodedSeconds === undefined) return;
  const source = rawKey({
    listingId: input.ctx.listingId,
    mediaType: 'video',
    mediaId: input.mediaId,
    ext: input.ext,
  });
  const declared = await declaredDurationSeconds(store, source);
  const truncation = declared === undefined ? undefined : truncationOf(declared, transcodedSeconds);
  if (truncation !== undefined) throw new ItemProblem('VIDEO_TRUNCATED', truncation);
}

/**
 * Renders the poster frame among the captured ones ({@link choosePoster}: about 10 % into the
 * video, skipping nearly black or flat frames).
 */
async function renderPoster(
  deps: RenderDeps,
  input: FinishVideoInput,
  durationSeconds: number | undefined,
): Promise<RenderResult> {
  const poster = await choosePoster(durationSeconds, {
    keyOf: (index) => frameCaptureKey(input, index),
    exists: async (key) => (await deps.store.head(key)) !== undefined,
    render: (key) => renderFrom(deps, key, 'captured frame'),
  });
  if (poster === undefined) {
    throw new ItemProblem(
      'OBJECT_NOT_FOUND',
      `No captured frame at "${frameStateKey(input.ctx, input.mediaId)}"`,
    );
  }
  return poster.rendered;
}

/**
 * `FinishVideo`: renders the four JPEG posters from a frame the transcode captured into the
 * state prefix (the one that shows the room: {@link renderPoster}), checks the MP4 landed at `renditionKey(..., 'large', ..., 'mp4')` and gives it the
 * renditions' Content-Type and Cache-Control (up to `SET_HEADERS_MAX_BYTES`), and records the
 * `VideoOutputsResult` (MP4 size from the store; width, height and duration from the job's
 * `OutputGroupDetails`), or the `ItemFailure` (`VIDEO_TRUNCATED` when the MP4 is shorter than the
 * raw upload's container declares).
 */
export async function finishVideo(input: FinishVideoInput, deps: RenderDeps): Promise<ItemOutcome> {
  return asOutcome(input, deps, async () => {
    const details = readTranscodeOutputs(input.transcode.outputGroupDetails as OutputGroupDetail[]);
    if (details === undefined) {
      throw new ItemProblem(
        'TRANSCODE_FAILED',
        `Job ${input.transcode.jobId} reported no video size for its MP4 output group`,
      );
    }
    await checkNotTruncated(deps.store, input, details.durationSeconds);
    const posters = await writeRenditions(
      deps.store,
      input,
      await renderPoster(deps, input, details.durationSeconds),
    );
    const { mp4: mp4Key } = transcodeOutputKeys(input);
    const mp4 = await deps.store.head(mp4Key);
    if (mp4 === undefined) {
      throw new ItemProblem('TRANSCODE_FAILED', `The transcode wrote no MP4 at "${mp4Key}"`);
    }
    // The transcoder writes the MP4 without the renditions' Cache-Control.
    if (mp4.size <= SET_HEADERS_MAX_BYTES) {
      await deps.store.setHeaders(mp4Key, {
        contentType: RENDITION_CONTENT_TYPES.mp4,
        cacheControl: RENDITION_CACHE_CONTROL,
      });
    } else {
      deps.logger.warn('MP4 too large to set its Cache-Control in place; left as written', {
        key: mp4Key,
        bytes: mp4.size,
      });
    }
    return parse(VideoOutputsResult, {
      mediaId: input.mediaId,
      mediaType: 'video',
      ...(details.durationSeconds === undefined
        ? {}
        : { durationSeconds: details.durationSeconds }),
      renditions: [
        ...posters,
        {
          size: 'large',
          key: mp4Key,
          ext: 'mp4',
          contentType: RENDITION_CONTENT_TYPES.mp4,
          width: details.width,
          height: details.height,
          bytes: mp4.size,
        },
      ],
    });
  });
}

/**
 * The `thumbnails` function: `FinishVideo` for a payload that carries the transcode's result
 * ({@link finishVideo}), else `RenderPhoto` ({@link renderPhoto}).
 *
 * @example
 * await renderItem({ ctx, mediaType: 'photo', mediaId, ext: 'jpg' }, { store, renderer, logger });
 */
export async function renderItem(input: ThumbnailsInput, deps: RenderDeps): Promise<ItemOutcome> {
  return 'transcode' in input ? finishVideo(input, deps) : renderPhoto(input, deps);
}
