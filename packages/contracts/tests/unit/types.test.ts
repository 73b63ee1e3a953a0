/**
 * The public types, checked by the compiler (`nx typecheck`); the runtime assertions only make
 * sure the file runs.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import {
  JSON_SCHEMA_NAMES,
  jsonSchema,
  parse,
  parseMediaKey,
  rawKey,
  renditionKey,
  safeParse,
  zipEntryPath,
  type ContractError,
  type ContractErrorCode,
  type ContractIssue,
  type ItemFailure,
  type JsonSchemaDocument,
  type JsonSchemaName,
  type ListingMediaResult,
  type ListingStatus,
  type MediaErrorCode,
  type MediaItem,
  type MediaOutcome,
  type MediaType,
  type ParsedMediaKey,
  type ParseResult,
  type PhotoExtension,
  type VideoExtension,
  type ProcessingRequest,
  type ProcessingRequestInput,
  type RawKeyParts,
  type Rendition,
  type RenditionExtension,
  type RenditionSize,
  type WebhookPayload,
  type ZipResult,
  ProcessingRequest as ProcessingRequestSchema,
  WebhookPayload as WebhookPayloadSchema,
} from '@toq/contracts';

describe('public types', () => {
  it('ProcessingRequest: output after parsing, input before', () => {
    expectTypeOf<ProcessingRequest>().toEqualTypeOf<z.output<typeof ProcessingRequestSchema>>();
    expectTypeOf<ProcessingRequestInput>().toEqualTypeOf<z.input<typeof ProcessingRequestSchema>>();
    expectTypeOf<ProcessingRequest['schemaVersion']>().toEqualTypeOf<1>();
    expectTypeOf<ProcessingRequest['media']>().toEqualTypeOf<MediaItem[]>();
    expectTypeOf<MediaItem['mediaType']>().toEqualTypeOf<MediaType>();
    expectTypeOf<MediaItem['bytes']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ProcessingRequest['callback']>().toEqualTypeOf<{ url: string }>();
  });

  it('parse returns the schema’s output type; safeParse a ParseResult of it', () => {
    expectTypeOf(() =>
      parse(ProcessingRequestSchema, {}),
    ).returns.toEqualTypeOf<ProcessingRequest>();
    expectTypeOf(() => parse(WebhookPayloadSchema, {})).returns.toEqualTypeOf<WebhookPayload>();
    const result = safeParse(ProcessingRequestSchema, {});
    expectTypeOf(result).toEqualTypeOf<ParseResult<ProcessingRequest>>();
    if (result.ok) expectTypeOf(result.value).toEqualTypeOf<ProcessingRequest>();
    else expectTypeOf(result.error).toEqualTypeOf<ContractError>();
  });

  it('the webhook carries the consolidated result, with narrowing on status', () => {
    expectTypeOf<WebhookPayload['type']>().toEqualTypeOf<'listing.media.processed'>();
    expectTypeOf<WebhookPayload['data']>().toEqualTypeOf<ListingMediaResult>();
    expectTypeOf<ListingMediaResult['status']>().toEqualTypeOf<ListingStatus>();
    expectTypeOf<ListingStatus>().toEqualTypeOf<'succeeded' | 'partially_failed' | 'failed'>();
    expectTypeOf<ListingMediaResult['zip']>().toEqualTypeOf<ZipResult | null>();
    type Succeeded = Extract<MediaOutcome, { status: 'succeeded' }>;
    type Failed = Extract<MediaOutcome, { status: 'failed' }>;
    expectTypeOf<Succeeded['renditions']>().toEqualTypeOf<Rendition[]>();
    expectTypeOf<Failed['error']['code']>().toEqualTypeOf<MediaErrorCode>();
    expectTypeOf<MediaOutcome['status']>().toEqualTypeOf<'succeeded' | 'failed'>();
    expectTypeOf<ItemFailure['error']['code']>().toEqualTypeOf<MediaErrorCode>();
    expectTypeOf<Rendition['size']>().toEqualTypeOf<RenditionSize>();
    expectTypeOf<Rendition['ext']>().toEqualTypeOf<RenditionExtension>();
  });

  it('key builders take their parts and give strings; the parser narrows on kind', () => {
    expectTypeOf(rawKey).parameter(0).toEqualTypeOf<RawKeyParts>();
    expectTypeOf(rawKey).returns.toEqualTypeOf<string>();
    expectTypeOf(renditionKey).returns.toEqualTypeOf<string>();
    expectTypeOf(zipEntryPath).returns.toEqualTypeOf<string>();
    expectTypeOf(parseMediaKey).returns.toEqualTypeOf<ParsedMediaKey>();
    type Parsed<K> = Extract<ParsedMediaKey, { kind: K }>;
    expectTypeOf<Parsed<'raw'>['ext']>().toEqualTypeOf<PhotoExtension | VideoExtension>();
    expectTypeOf<Parsed<'rendition'>['size']>().toEqualTypeOf<RenditionSize>();
    expectTypeOf<Parsed<'zip'>>().toEqualTypeOf<{ kind: 'zip'; listingId: string }>();
    const id = '';
    const audio = { listingId: id, mediaType: 'audio', mediaId: id, ext: id } as const;
    const noSize = { listingId: id, mediaType: 'photo', mediaId: id, ext: 'jpg' } as const;
    // @ts-expect-error: 'audio' is not a media type
    expectTypeOf(rawKey).toBeCallableWith(audio);
    // @ts-expect-error: a rendition needs its size
    expectTypeOf(renditionKey).toBeCallableWith(noSize);
  });

  it('errors and JSON Schema names are typed', () => {
    expectTypeOf<ContractError['code']>().toEqualTypeOf<ContractErrorCode>();
    expectTypeOf<ContractErrorCode>().toEqualTypeOf<'INVALID_INPUT' | 'INVALID_KEY'>();
    expectTypeOf<ContractError['issues']>().toEqualTypeOf<readonly ContractIssue[]>();
    expectTypeOf(JSON_SCHEMA_NAMES).toEqualTypeOf<readonly JsonSchemaName[]>();
    expectTypeOf<'processing-request'>().toExtend<JsonSchemaName>();
    expectTypeOf(jsonSchema).returns.toEqualTypeOf<JsonSchemaDocument>();
    // @ts-expect-error: not a shipped schema
    expectTypeOf(jsonSchema).toBeCallableWith('processing-requests');
  });
});
