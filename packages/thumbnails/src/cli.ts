#!/usr/bin/env node
/**
 * `npx @toq/thumbnails photo.jpg [more.heic …] --out dir [--formats webp,avif] [--sizes …]`:
 * writes `dir/{size}/{name}.{ext}` for every photo (the layout of spec §2 under `processed/`)
 * and prints one JSON line per photo. Exits 1 if any photo failed, with its error code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRenditions, ThumbnailError, type RenditionOptions } from './index';

const USAGE =
  'Usage: toq-thumbnails <photo> [photo…] --out <dir> [--formats webp,avif] [--sizes thumbnail,small,medium,large] [--quality 80]';

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((item) => item.trim());
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      formats: { type: 'string' },
      sizes: { type: 'string' },
      quality: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0 || !values.out) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const options = {
    ...(values.formats ? { formats: list(values.formats) } : {}),
    ...(values.sizes ? { sizes: list(values.sizes) } : {}),
    ...(values.quality ? { quality: { jpeg: Number(values.quality) } } : {}),
  } as RenditionOptions;
  let failed = 0;
  for (const photo of positionals) {
    const name = basename(photo, extname(photo));
    try {
      const set = await createRenditions(photo, options);
      const files: string[] = [];
      for (const rendition of set.renditions) {
        const dir = join(values.out, rendition.size);
        await mkdir(dir, { recursive: true });
        const file = join(dir, `${name}.${rendition.ext}`);
        await writeFile(file, rendition.data);
        files.push(file);
      }
      console.log(
        JSON.stringify({
          photo,
          source: set.source,
          files,
          placeholder: set.placeholder?.thumbhash,
        }),
      );
    } catch (error) {
      if (!(error instanceof ThumbnailError)) throw error;
      failed += 1;
      console.log(JSON.stringify({ photo, error: { code: error.code, message: error.message } }));
    }
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
