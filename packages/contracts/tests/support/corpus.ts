/**
 * Examples of every shipped JSON Schema, good and bad, to validate with zod and with JSON Schema
 * validators and compare verdicts. The bad ones are generated: every field of a good example is
 * removed, replaced by values of the wrong kind or shape, or joined by an unknown field.
 */
import { JSON_SCHEMA_NAMES, zipKey, type JsonSchemaName } from '@toq/contracts';
import {
  at,
  clone,
  listingId,
  photoId,
  rendition,
  request,
  result,
  videoId,
  webhook,
} from './examples';

export interface Example {
  label: string;
  value: unknown;
  /** Holds a string ending in a newline, which Python's `re` matches with `$` (see README). */
  trailingNewline?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REPLACEMENTS: readonly (readonly [string, Json])[] = [
  ['null', null],
  ['true', true],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['2^53', 2 ** 53],
  ['""', ''],
  ['"X"', 'X'],
  ['".."', '..'],
  ['"photo"', 'photo'],
  ['"large"', 'large'],
  ['"JPG"', 'JPG'],
  ['a 3000-character string', 'x'.repeat(3000)],
  ['[]', []],
  ['{}', {}],
];

/** An array element's shape: its keys (a rendition looks like the rendition before it). */
const shapeOf = (value: Json) =>
  value !== null && typeof value === 'object' ? Object.keys(value).sort().join() : typeof value;

/**
 * Every path to a value inside `value` (objects and arrays), the root excluded. Of an array's
 * elements, only the first of each shape is visited: the others would repeat its variants.
 */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const seen = new Set<string>();
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.flatMap((item, index): [number, Json][] => {
        if (seen.has(shapeOf(item))) return [];
        seen.add(shapeOf(item));
        return [[index, item]];
      })
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function update(
  root: Json,
  path: (string | number)[],
  change: (parent: never, key: never) => void,
): Json {
  const copy = clone(root);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as never)[key], copy);
  change(parent as never, path.at(-1) as never);
  return copy;
}

/** The bad (and some good) variants of one good example. */
function variantsOf(good: Json): Example[] {
  const examples: Example[] = [];
  for (const path of pathsOf(good)) {
    const where = path.join('.');
    const current = path.reduce<Json>((node, key) => (node as never)[key], good);
    examples.push({
      label: `${where} removed`,
      value: update(good, path, (parent: Record<string, Json> | Json[], key: string & number) => {
        if (Array.isArray(parent)) parent.splice(key, 1);
        else Reflect.deleteProperty(parent, key);
      }),
    });
    for (const [name, replacement] of REPLACEMENTS) {
      examples.push({
        label: `${where} = ${name}`,
        value: update(good, path, (parent: Record<string, Json>, key: string) => {
          parent[key] = replacement;
        }),
      });
    }
    if (typeof current === 'string') {
      for (const [name, changed] of [
        ['upper case', current.toUpperCase()],
        ['with a space', `${current} `],
        ['with a newline', `${current}\n`],
      ] as const) {
        examples.push({
          label: `${where} ${name}`,
          value: update(good, path, (parent: Record<string, Json>, key: string) => {
            parent[key] = changed;
          }),
          trailingNewline: name === 'with a newline',
        });
      }
    }
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      examples.push({
        label: `${where} with an unknown field`,
        value: update(good, path, (parent: Record<string, Record<string, Json>>, key: string) => {
          parent[key] = { ...parent[key], unknownField: 1 };
        }),
      });
    }
  }
  return examples;
}

const uppercaseRequest = (): Json => {
  const input = clone(request());
  input.listingId = listingId.toUpperCase();
  input.media = input.media.map((item) => ({
    ...item,
    mediaId: item.mediaId.toUpperCase(),
    ext: item.ext.toUpperCase(),
  }));
  return input as Json;
};

/** `value` with every occurrence of the examples' listing id (ids, keys) replaced by `id`. */
const forListing = (value: unknown, id: string): Json =>
  JSON.parse(JSON.stringify(value).replaceAll(listingId, id)) as Json;

const succeeded = (): Json => {
  const value = clone(result());
  value.media.pop();
  value.status = 'succeeded';
  value.summary = { total: 2, succeeded: 2, failed: 0 };
  return value as Json;
};

/** Good examples of each schema: the generated variants start from these. */
const GOOD: Record<JsonSchemaName, Record<string, Json>> = {
  'processing-request': {
    request: request() as Json,
    'request in upper case': uppercaseRequest(),
    'request with a loopback http callback': {
      ...(request() as Record<string, Json>),
      callback: { url: 'http://127.0.0.1:8080/hooks' },
    },
    'request for an integer listing id': forListing(request(), '12345'),
    'request for a slug listing id': forListing(request(), 'Maison-rue-1_b'),
  },
  'media-item': { item: at(request().media, 0) as Json },
  'callback-target': { target: request().callback },
  'validation-report': {
    report: {
      listingId,
      requestId: 'req-1',
      accepted: [{ mediaId: photoId, mediaType: 'photo', ext: 'jpg', bytes: 10 }],
      rejected: [
        {
          mediaId: videoId,
          mediaType: 'video',
          error: { code: 'OBJECT_NOT_FOUND', message: 'No object' },
        },
      ],
    },
  },
  'item-failure': { failure: at(result().media, 2) as unknown as Json },
  rendition: {
    'photo rendition': rendition('photo', photoId, 'medium', 'avif') as unknown as Json,
    'video MP4': rendition('video', videoId, 'large', 'mp4') as unknown as Json,
  },
  'photo-renditions-result': {
    photo: {
      mediaId: photoId,
      mediaType: 'photo',
      source: { format: 'jpeg', width: 3000, height: 2000 },
      renditions: [rendition('photo', photoId, 'thumbnail') as unknown as Json],
    },
  },
  'video-outputs-result': {
    video: {
      mediaId: videoId,
      mediaType: 'video',
      durationSeconds: 3,
      renditions: [rendition('video', videoId, 'large', 'mp4') as unknown as Json],
    },
  },
  'zip-result': {
    zip: { key: zipKey(listingId), bytes: 100, entries: 4 },
    'zip of a slug listing': { key: zipKey('Maison-rue-1_b'), bytes: 100, entries: 4 },
  },
  'media-outcome': {
    succeeded: at(result().media, 1) as unknown as Json,
    failed: at(result().media, 2) as unknown as Json,
  },
  'listing-media-result': {
    'partially failed': result() as unknown as Json,
    succeeded: succeeded(),
    'result for an integer listing id': forListing(result(), '12345'),
  },
  'webhook-payload': {
    webhook: webhook() as unknown as Json,
    'webhook for a slug listing id': forListing(webhook(), 'Maison-rue-1_b'),
  },
};

/** Cases the generated variants would not reach: checks across fields. */
const CROSS_FIELD: Partial<Record<JsonSchemaName, Example[]>> = {
  'processing-request': [
    {
      label: 'the same mediaId twice',
      value: { ...request(), media: [at(request().media, 0), at(request().media, 0)] },
    },
  ],
  'listing-media-result': [
    {
      label: 'the same item twice',
      value: {
        ...result(),
        media: [at(result().media, 0), at(result().media, 0), at(result().media, 2)],
      },
    },
    { label: '"succeeded" with a failed item', value: { ...result(), status: 'succeeded' } },
    { label: '"failed" with succeeded items', value: { ...result(), status: 'failed' } },
  ],
  'media-item': [
    {
      label: 'a photo with a video extension',
      value: { mediaId: photoId, mediaType: 'photo', ext: 'MOV' },
    },
    {
      label: 'a video with a photo extension',
      value: { mediaId: videoId, mediaType: 'video', ext: 'heic' },
    },
  ],
  rendition: [
    {
      label: 'a png key for a jpg',
      value: {
        ...rendition('photo', photoId, 'small'),
        key: rendition('photo', photoId, 'small', 'png').key,
      },
    },
    {
      label: 'a large key for a small',
      value: {
        ...rendition('photo', photoId, 'small'),
        key: rendition('photo', photoId, 'large').key,
      },
    },
    {
      label: 'a png content type for a jpg',
      value: { ...rendition('photo', photoId, 'small'), contentType: 'image/png' },
    },
    {
      label: 'a photo MP4',
      value: {
        ...rendition('video', videoId, 'large', 'mp4'),
        key: rendition('photo', photoId, 'large').key.replace(/jpg$/, 'mp4'),
      },
    },
  ],
  'zip-result': [
    {
      label: 'another listing’s zip',
      value: { key: `${listingId}/processed/zip/${photoId}.zip`, bytes: 1, entries: 1 },
    },
    {
      label: 'the zip of an upper-case UUID listing (the pipeline writes it in lowercase)',
      value: { key: forListing(zipKey(listingId), listingId.toUpperCase()), bytes: 1, entries: 1 },
    },
    {
      label: 'the zip of a listing whose id differs in case from its file name',
      value: { key: 'Maison-1/processed/zip/maison-1.zip', bytes: 1, entries: 1 },
    },
  ],
};

/** Every example of `name`: the good ones, their variants and the cross-field cases. */
export function examplesOf(name: JsonSchemaName): Example[] {
  return [
    ...Object.entries(GOOD[name]).flatMap(([label, value]) => [
      { label, value },
      ...variantsOf(value).map((example) => ({ ...example, label: `${label}: ${example.label}` })),
    ]),
    ...(CROSS_FIELD[name] ?? []),
  ];
}

/** Every shipped schema's examples. */
export const CORPUS = JSON_SCHEMA_NAMES.map((name) => [name, examplesOf(name)] as const);

/**
 * What zod checks and JSON Schema cannot express (README, "JSON Schema"): the JSON Schemas
 * accept these.
 */
export const ZOD_ONLY_CHECKS: readonly RegExp[] = [
  /^duplicate mediaId /,
  /\(counted in media\)/,
  /^cannot be "(succeeded|partially_failed|failed)" with /,
];
