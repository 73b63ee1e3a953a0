import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone: a user's clone has only what is in it. No file may point at a
 * folder beside the repository (the team's `shared` folder, which exists on the development
 * machines only) or at a location on one machine (the workspace, `/home/alice/…`, `C:\Users\…`, a tool under
 * `/usr/bin/`): a clone elsewhere has none of them.
 *
 * The rules, and where they stop:
 *
 * - The sibling `shared` folder: any number of `../` before `shared` (the sibling folder, or a file or folder in
 *   it), forward or back slashes. The repository has no folder of that name, so a relative
 *   one can only mean the sibling. `shared.ts` (a file with an extension) and `shared-x` are
 *   other names and pass.
 * - Machine paths: `/work/`, `/root/`, `/home/<name>`, `/Users/<name>`, `/mnt/`, `/usr/share/`,
 *   `/usr/local/`, `/usr/bin/<tool>`, and a Windows drive (`C:\`, `C:/Users`). Only where the path
 *   starts, not inside another path or a URL: the `/` must not follow a letter, digit, `.`, `~`,
 *   `$`, `%`, `*`, `-`, `/`, `\`, `)`, `}`, `]` or a drive letter, so `https://example.com/home/x`,
 *   `node_modules/tmp`, `~/photos`, `$PWD/node_modules` and `${root}/work/x` pass (`file://` is
 *   read as the path it names). A shebang, `#!/usr/bin/env node`, is how a script finds its
 *   interpreter on every machine and passes.
 * - Lines that quote a forbidden form as data (a hostile input a test feeds to a validator) are
 *   listed one by one in `QUOTED_AS_DATA`, with the reason.
 * - `/tmp`: only a path under it, `/tmp/<name>`, is a location: code and tests must take their
 *   scratch directory from `os.tmpdir()` / `mkdtemp` (on Lambda that is `/tmp` too), since a fixed
 *   one collides between runs and does not exist on Windows. Prose naming the directory itself
 *   (`Lambda may write to /tmp`, `files under /tmp/`) points at no file and passes.
 *
 * Binary files (a NUL byte, or an image, video or archive extension) are not read. A file listed
 * by git but missing from the working tree (being moved) is skipped; a symbolic link is checked
 * by its target.
 */

const ROOT = resolve(import.meta.dirname, '../..');

/** This file spells out every forbidden form in its examples. */
const SELF = 'tools/tests/standalone.test.ts';

/**
 * Paths are where they start: not after these (a longer path, a URL, a variable, a home), nor
 * after a drive letter (`C:/Users/…` is one Windows path, found by its own rule).
 */
const START = String.raw`(?<![\w.~$%*/\\)}\]-])(?<!(?:^|\W)[A-Za-z]:)`;

/** What a file may not contain, each a regular expression with the `g` flag. */
const FORBIDDEN: readonly RegExp[] = [
  /(?:\.\.[\\/])+shared(?![\w-]|\.[A-Za-z])/g,
  ...[
    String.raw`/work/`,
    String.raw`/root/`,
    String.raw`/home/[\w.-]+`,
    String.raw`/Users/[\w.-]+`,
    String.raw`/mnt/`,
    '/tmp/[\\w.${}-]+',
    String.raw`/usr/share/`,
    String.raw`/usr/local/`,
    String.raw`/usr/bin/[\w.+-]+`,
  ].map((path) => new RegExp(START + path, 'g')),
  /(?<![\w$])[A-Za-z]:\\/g,
  /(?<![\w$/])[A-Z]:\/(?=\w)/g,
];

/** `#!/usr/bin/env <interpreter>` at the start of a line. */
const SHEBANG = /^#!\/usr\/bin\/env\s/;

/**
 * The references outside the repository in one line of text, as they appear in it (empty when
 * there is none). Pure: the scan below and the examples use it alike.
 *
 * @example
 * outsideReferences('cd /home/alice/toq-media'); // ['/home/alice']
 * outsideReferences('#!/usr/bin/env node'); // []
 */
export function outsideReferences(line: string): string[] {
  const text = line.replace(SHEBANG, '').replaceAll('file://', '');
  return FORBIDDEN.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[0]));
}

/**
 * Lines that quote a forbidden form as data, not as a place: each is allowed in its file only,
 * and must still be there (a stale entry fails, so the list never outlives its reason).
 */
const QUOTED_AS_DATA: readonly { file: string; line: string; why: string }[] = [
  {
    file: 'packages/contracts/tests/unit/keys.hostile.test.ts',
    line: String.raw`['Windows drive', 'C:\\x'],`,
    why: 'a hostile key part the key builders must refuse',
  },
  {
    file: 'packages/zipper/tests/unit/entries.test.ts',
    line: "['C:/Windows/a.jpg', 'starts with a drive letter'],",
    why: 'an entry path createZip must refuse',
  },
];

/** Extensions of files that are not text, whatever their bytes (images, video, archives, fonts). */
const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(
  [
    ...['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'heif', 'tif', 'tiff', 'ico', 'icc'],
    ...['mp4', 'mov', 'm4v', 'webm', 'mp3', 'wav'],
    ...['zip', 'gz', 'tgz', '7z', 'br', 'pdf', 'woff', 'woff2', 'ttf', 'otf', 'wasm'],
  ].map((ext) => `.${ext}`),
);

/**
 * The tracked files, and the untracked ones that are not ignored, so that a new file counts
 * before it is committed.
 */
function repositoryFiles(): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return [...new Set(out.split('\0').filter((file) => file !== ''))].sort();
}

/**
 * The text to check: a file's content, or a symbolic link's target; undefined for a binary file
 * and for a file listed but not in the working tree.
 */
function textOf(file: string): string | undefined {
  const path = join(ROOT, file);
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted or moved
    throw error;
  }
  if (stats.isSymbolicLink()) return readlinkSync(path);
  if (!stats.isFile() || BINARY_EXTENSIONS.has(extname(file).toLowerCase())) return undefined;
  const bytes = readFileSync(path);
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

/** A long line (a table row, a minified file) cut to the part around the first reference. */
function excerpt(line: string, found: string): string {
  if (line.length <= 160) return line;
  const at = Math.max(line.indexOf(found), 0);
  const start = Math.max(at - 60, 0);
  const end = Math.min(at + found.length + 60, line.length);
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

// The team's sibling folder and workspace, spelled in parts: this file must show them to its
// matcher, but is no reference to them itself (greps for outside paths pass over it).
const SIBLING = `../${'shared'}`;
const WORKSPACE = `/${'work'}/main`;

describe('outsideReferences', () => {
  it.each([
    ['the sibling folder', `The specification is ${SIBLING}/spec/system.md`, SIBLING],
    [
      'the sibling folder, several levels up',
      `[spec](../../${SIBLING}/spec/system.md)`,
      `../../${SIBLING}`,
    ],
    ['the sibling folder itself', `beside the project, at \`${SIBLING}\`.`, SIBLING],
    [
      'the sibling folder, Windows separators',
      String.raw`..\..\shared\notes`,
      String.raw`..\..\shared`,
    ],
    ['the workspace', `export PATH=${WORKSPACE}/node_modules/.bin:$PATH`, '/work/'],
    ['root’s home', "readFileSync('/root/.npmrc')", '/root/'],
    ['a user’s home', 'cd /home/alice/toq-media', '/home/alice'],
    ['a user’s home, no slash after', "cwd: '/home/alice'", '/home/alice'],
    ['a macOS home', '"/Users/bob/Desktop/photo.jpg"', '/Users/bob'],
    ['a mount', 'fixtures in /mnt/data/photos', '/mnt/'],
    [
      'a file under /tmp',
      "new FsObjectStore('/tmp/toq-listing-medias')",
      '/tmp/toq-listing-medias',
    ],
    ['a template under /tmp', '`/tmp/${name}.jpg`', '/tmp/${name}.jpg'],
    ['a file:// URL', `file://${WORKSPACE}/README.md`, '/work/'],
    ['a system share', 'cp /usr/share/color/icc/profile.icc fixtures/', '/usr/share/'],
    ['a local install', 'PATH=/usr/local/bin:$PATH', '/usr/local/'],
    ['a system tool', "const CHROMIUM = '/usr/bin/chromium';", '/usr/bin/chromium'],
    ['a tool after a PATH separator', 'PATH=.bin:/usr/bin/ffmpeg', '/usr/bin/ffmpeg'],
    ['a Windows drive', String.raw`C:\Users\alice\toq`, 'C:\\'],
    ['a Windows drive in a string', String.raw`'D:\\repo\\toq'`, 'D:\\'],
    ['a Windows drive with forward slashes', 'C:/Users/alice', 'C:/'],
  ])('flags %s', (_, line, found) => {
    expect(outsideReferences(line)).toEqual([found]);
  });

  it('flags every reference on a line', () => {
    expect(outsideReferences(`cp ${WORKSPACE}/a ${SIBLING}/b /tmp/c`)).toEqual([
      SIBLING,
      '/work/',
      '/tmp/c',
    ]);
  });

  it.each([
    ['a shebang', '#!/usr/bin/env node'],
    ['a bash shebang', '#!/usr/bin/env bash'],
    ['/tmp named in prose', 'Lambda may write 512 MB to `/tmp`, and nothing else.'],
    ['the directory /tmp/ in prose', 'everything under /tmp/ is gone at the next cold start'],
    ['the temp dir from the OS', "await mkdtemp(join(tmpdir(), 'toq-graph-'))"],
    ['a package named tmp', '"node_modules/tmp": {'],
    ['a URL with /home in its path', 'https://example.com/home/index.html'],
    ['a URL with /work in its path', 'https://www.standardwebhooks.com/work/'],
    ['an S3 key', 's3://toq-listing-medias/work/raw/photo/x.jpg'],
    ['a path under the user’s home', 'npm start -- ~/photos/apartment-12'],
    ['a path from the working directory', 'export PATH="$PWD/node_modules/.bin:$PATH"'],
    ['a path under a variable', '`${root}/work/tmp/x`'],
    ['a relative path', 'packages/lambdas/tests/setup/fauxqs.ts'],
    ['a file named like the folder', "import { packageTestConfig } from '../vitest.shared.ts';"],
    ['a module called shared.ts', `import { x } from '${SIBLING}.ts';`],
    ['another folder', `${SIBLING}-fixtures/photo.jpg`],
    ['/proc', "readFileSync('/proc/self/status', 'utf8')"],
    ['a regular expression with \\s', String.raw`/^Size:\s+(\d+)/m.exec(output)`],
    [
      'an escaped newline after a colon',
      'throw new Error(`nx run lambdas:build failed:\\n${output}`)',
    ],
    ['an https URL', 'https://sharp.pixelplumbing.com/install#aws-lambda'],
  ])('passes %s', (_, line) => {
    expect(outsideReferences(line)).toEqual([]);
  });
});

describe('the repository', () => {
  it('refers to nothing outside itself (file:line: text for each reference)', () => {
    const files = repositoryFiles();
    expect(files).toContain('package-lock.json');
    const hits: string[] = [];
    const quotedSeen = new Set<(typeof QUOTED_AS_DATA)[number]>();
    for (const file of files) {
      if (file === SELF) continue;
      const text = textOf(file);
      if (text === undefined) continue;
      text.split(/\r?\n/).forEach((line, index) => {
        const found = outsideReferences(line);
        if (found.length === 0) return;
        const quoted = QUOTED_AS_DATA.find((q) => q.file === file && line.trim() === q.line);
        if (quoted) {
          quotedSeen.add(quoted);
          return;
        }
        hits.push(`${file}:${index + 1}: ${excerpt(line.trim(), found[0] as string)}`);
      });
    }
    expect(hits).toEqual([]);
    expect(
      QUOTED_AS_DATA.filter((q) => !quotedSeen.has(q)).map(
        (q) => `${q.file}: no longer has ${q.line} (${q.why})`,
      ),
    ).toEqual([]);
  });
});
