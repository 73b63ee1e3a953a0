import * as z from 'zod';
import packageJson from '../package.json' with { type: 'json' };
import { MEDIA_EXTENSIONS, RENDITION_CONTENT_TYPES, RENDITION_SIZES } from './constants';
import { describeValue } from './describe-value';
import { ContractError } from './errors';
import {
  ListingId,
  LOWERCASE_UUID_SOURCE,
  MediaExtension,
  anyCaseAlternation,
  canonicalListingIdSource,
} from './ids';
import { CallbackTarget, MediaItem, ProcessingRequest } from './messages';
import {
  ItemFailure,
  ListingMediaResult,
  MediaOutcome,
  PhotoRenditionsResult,
  Rendition,
  ValidationReport,
  VideoOutputsResult,
  ZipResult,
} from './results';
import { WebhookPayload } from './webhook';

/**
 * The schemas shipped as JSON Schema, by file name (`schemas/<name>.json`), with the side each is
 * described from:
 * - `input`: what the pipeline accepts. Backends produce these (a `ProcessingRequest`), so the
 *   schema allows what parsing normalises: UUIDs and extensions in any letter case.
 * - `output`: what the pipeline writes. Backends consume these (the webhook), so the schema is
 *   exactly what arrives: UUIDs (UUID-shaped listing ids too) and extensions in lowercase,
 *   nothing to normalise.
 * @internal
 */
export const SHIPPED = {
  'processing-request': { schema: ProcessingRequest, io: 'input' },
  'media-item': { schema: MediaItem, io: 'input' },
  'callback-target': { schema: CallbackTarget, io: 'input' },
  'validation-report': { schema: ValidationReport, io: 'output' },
  'item-failure': { schema: ItemFailure, io: 'output' },
  rendition: { schema: Rendition, io: 'output' },
  'photo-renditions-result': { schema: PhotoRenditionsResult, io: 'output' },
  'video-outputs-result': { schema: VideoOutputsResult, io: 'output' },
  'zip-result': { schema: ZipResult, io: 'output' },
  'media-outcome': { schema: MediaOutcome, io: 'output' },
  'listing-media-result': { schema: ListingMediaResult, io: 'output' },
  'webhook-payload': { schema: WebhookPayload, io: 'output' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

/** The name of a shipped JSON Schema: `@toq/contracts/schemas/<name>.json`. */
export type JsonSchemaName = keyof typeof SHIPPED;

/** Every shipped JSON Schema's name, in a stable order. */
export const JSON_SCHEMA_NAMES = Object.keys(SHIPPED) as readonly JsonSchemaName[];

/** A JSON Schema document (draft 2020-12), as plain JSON. */
export type JsonSchemaDocument = Record<string, unknown>;

type Fragment = Record<string, unknown>;

/** `if` the object's `field` is `value`, `then` the object must match `then`. */
function when(field: string, value: string, then: Fragment): Fragment {
  return { if: { properties: { [field]: { const: value } }, required: [field] }, then };
}

/**
 * The JSON Schema twins of the zod refinements that JSON Schema can express (checks across
 * fields). What it cannot express (unique media ids, counts that match the list, a status its
 * items support) is listed in the README; the pipeline still checks it with zod.
 */
const TWINS = new Map<z.ZodType, Fragment[]>([
  [
    MediaItem,
    (['photo', 'video'] as const).map((mediaType) =>
      when('mediaType', mediaType, {
        properties: { ext: { pattern: anyCaseAlternation(MEDIA_EXTENSIONS[mediaType]) } },
      }),
    ),
  ],
  [
    Rendition,
    [
      ...Object.entries(RENDITION_CONTENT_TYPES).map(([ext, contentType]) =>
        when('ext', ext, {
          properties: { contentType: { const: contentType }, key: { pattern: `\\.${ext}$` } },
        }),
      ),
      ...RENDITION_SIZES.map((size) =>
        when('size', size, { properties: { key: { pattern: `/${size}/[^/]+$` } } }),
      ),
    ],
  ],
]);

/**
 * Rewrites one generated node: adds the twins of its refinements and, on the output side, states
 * the normalised form the pipeline writes.
 */
function override(io: 'input' | 'output') {
  return (ctx: { zodSchema: unknown; jsonSchema: Fragment }): void => {
    const { zodSchema, jsonSchema } = ctx;
    const twins = TWINS.get(zodSchema as z.ZodType);
    if (twins) jsonSchema.allOf = [...((jsonSchema.allOf as Fragment[]) ?? []), ...twins];
    if (io === 'output' && jsonSchema.format === 'uuid') {
      jsonSchema.pattern = `^${LOWERCASE_UUID_SOURCE}$`;
    }
    if (io === 'output' && zodSchema === ListingId) {
      jsonSchema.pattern = `^${canonicalListingIdSource('$')}$`;
      jsonSchema.description =
        'The listing, as the request gave it but for a UUID-shaped id, which is in lowercase.';
    }
    if (io === 'output' && zodSchema === MediaExtension) {
      delete jsonSchema.pattern;
      jsonSchema.enum = [...MEDIA_EXTENSIONS.photo, ...MEDIA_EXTENSIONS.video];
      jsonSchema.description = `The raw file's extension without the dot, lowercase: ${(jsonSchema.enum as string[]).join(', ')}.`;
    }
  };
}

/**
 * Where a shipped schema is published, its `$id`: the file in this very version of the package on
 * unpkg, so an id names one version's schema and never changes meaning.
 */
function jsonSchemaId(name: JsonSchemaName): string {
  return `https://unpkg.com/${packageJson.name}@${packageJson.version}/schemas/${name}.json`;
}

/**
 * The JSON Schema (draft 2020-12) of one of the package's messages, generated from its zod schema:
 * the same document as `@toq/contracts/schemas/<name>.json`, for services that serve or bundle it.
 * Its `$id` is `https://unpkg.com/@toq/contracts@{version}/schemas/<name>.json`, the version of the
 * package that built it. Checks JSON Schema cannot express (unique media ids, consistent counts
 * and status) are left out; `parse` still makes them.
 *
 * @throws {ContractError} `INVALID_INPUT` when `name` is not one of {@link JSON_SCHEMA_NAMES}.
 * @example
 * const schema = jsonSchema('processing-request'); // { $schema, $id, title: 'ProcessingRequest', … }
 * for (const name of JSON_SCHEMA_NAMES) serve(`/schemas/${name}.json`, jsonSchema(name));
 */
export function jsonSchema(name: JsonSchemaName): JsonSchemaDocument {
  if (!Object.hasOwn(SHIPPED, name)) {
    throw new ContractError('INVALID_INPUT', 'JSON Schema name', [
      {
        path: '(root)',
        message: `must be one of ${JSON_SCHEMA_NAMES.join(', ')}, received ${describeValue(name)}`,
      },
    ]);
  }
  const { schema, io } = SHIPPED[name];
  const { $schema, ...document } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    override: override(io),
  }) as JsonSchemaDocument;
  return { $schema, $id: jsonSchemaId(name), ...document };
}
