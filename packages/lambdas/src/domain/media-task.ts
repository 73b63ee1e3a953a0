import { MediaExtension, MediaId, MediaType, isExtensionOf } from '@toq/contracts';
import * as z from 'zod';
import { TaskContext } from './state-keys.ts';

/**
 * One Map iteration's payload (docs/pipeline.md, `ItemSelector`): `{ ctx, mediaType, mediaId, ext }`.
 * What `RenderPhoto` (thumbnails) and `PrepareTranscode` (transcode) receive.
 */
export const MediaTaskInput = z
  .object({ ctx: TaskContext, mediaType: MediaType, mediaId: MediaId, ext: MediaExtension })
  .refine((input) => isExtensionOf(input.mediaType, input.ext), {
    error: 'ext must be an extension of mediaType',
    path: ['ext'],
  });
export type MediaTaskInput = z.output<typeof MediaTaskInput>;
