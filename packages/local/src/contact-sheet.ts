import type { ListingMediaResult, Rendition } from '@toq/contracts';

/** One entry of the zip, as its central directory lists it. */
export interface ZipListing {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly entries: readonly { readonly path: string; readonly bytes: number }[];
}

/** A failed item or a listing error, as a person reads it. */
export interface Failure {
  /** The item's file; absent for an error of the listing as a whole. */
  readonly fileName?: string;
  readonly code: string;
  /** In the user's terms: file names, not object keys. */
  readonly message: string;
}

/** What the contact sheet shows. */
export interface ContactSheetInput {
  readonly result: ListingMediaResult;
  /** The original file name of each media id (the folder's files). */
  readonly fileNames: ReadonlyMap<string, string>;
  /** The failed items and the listing's errors, summarised at the top. */
  readonly failures: readonly Failure[];
  /** The URL (relative to the sheet) of an object of the store, by key. */
  readonly src: (key: string) => string;
  readonly zip?: ZipListing;
  /** A line on how the webhook went. */
  readonly delivery?: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside HTML elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** `12345` → `12.1 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** Formats that may be transparent: shown on a checkerboard, so transparency shows. */
const ALPHA_FORMATS: ReadonlySet<string> = new Set(['png', 'webp', 'avif']);

/**
 * One rendition at its true size: the `<img>` (or `<video>`) is given the rendition's own width
 * and height, and CSS never scales it, so small, medium and large look as large as they are.
 * Shared with the dev dashboard, which shows renditions the same way.
 *
 * @example
 * renditionFigure(rendition, (key) => `/objects/${key}`); // '<figure class="rendition">…'
 */
export function renditionFigure(rendition: Rendition, src: (key: string) => string): string {
  const url = escapeHtml(src(rendition.key));
  const size = `width="${rendition.width}" height="${rendition.height}"`;
  const media =
    rendition.ext === 'mp4'
      ? `<video src="${url}" ${size} controls muted preload="metadata"></video>`
      : `<a href="${url}" title="open alone (zoom)"><img src="${url}" ${size} alt="${escapeHtml(`${rendition.size} rendition`)}" loading="eager"></a>`;
  const alpha = ALPHA_FORMATS.has(rendition.ext) ? ' alpha' : '';
  return `<figure class="rendition${alpha}">${media}<figcaption><b>${rendition.size}</b> · ${rendition.width}×${rendition.height} px · ${rendition.ext} · ${formatBytes(rendition.bytes)}</figcaption></figure>`;
}

/**
 * The failures first: file, code and message of each; or a line saying there are none.
 *
 * @example
 * failureSummary([{ fileName: 'broken.jpg', code: 'CORRUPT_IMAGE', message: 'Corrupt image: …' }]);
 */
export function failureSummary(failures: readonly Failure[]): string {
  if (failures.length === 0)
    return '<section id="failures" class="summary"><h2>No failures</h2></section>';
  const rows = failures.map(
    (f) =>
      `<tr><td>${f.fileName === undefined ? '<i>the listing</i>' : escapeHtml(f.fileName)}</td><td><b>${escapeHtml(f.code)}</b></td><td>${escapeHtml(f.message)}</td></tr>`,
  );
  return `<section id="failures" class="summary failures"><h2>${failures.length} ${failures.length === 1 ? 'failure' : 'failures'}</h2>
<table><tr><th>file</th><th>code</th><th>message</th></tr>${rows.join('')}</table></section>`;
}

const CHECKERBOARD = 'repeating-conic-gradient(#d1d5db 0 25%,#fff 0 50%) 0 0/16px 16px';

/** The sheet's CSS: the dev dashboard builds on it, so both look alike. */
export const CONTACT_SHEET_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0 0 8px}
.meta{color:#4b5563;margin:0 0 16px}
.status-succeeded{color:#047857}.status-partially_failed{color:#b45309}.status-failed{color:#b91c1c}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px;margin:0 0 12px}
section.failures,section.failed{border-color:#dc2626;background:#fef2f2}
section.failures h2,section.failed h2,.reason{color:#b91c1c}
.renditions{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;overflow-x:auto}
figure{margin:0;flex:none;width:min-content;background:#fff}
figure.alpha img{background:${CHECKERBOARD}}
figcaption{font-size:12px;padding:2px 0;color:#374151}
img,video{display:block;max-width:none}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e5e7eb;padding:2px 8px;text-align:left;font-size:12px;vertical-align:top}
`;

/**
 * The run's contact sheet: one HTML page. At the top, every failure (file, code, message) and
 * the webhook's fate; then every item of the `ListingMediaResult` in request order, each
 * rendition at its true pixel size (an `<img>`, or a `<video>` for the MP4) with its dimensions
 * and bytes, JPEGs on a plain background and formats that may be transparent on a checkerboard,
 * failed items in red; last, the zip's entries.
 *
 * @example
 * await writeFile('contact-sheet.html', contactSheet({ result, fileNames, failures, src: (k) => `bucket/${k}` }));
 */
export function contactSheet(input: ContactSheetInput): string {
  const { result } = input;
  const items = result.media.map((item) => {
    const name = escapeHtml(input.fileNames.get(item.mediaId) ?? item.mediaId);
    const heading = `<h2>${name} <small>${item.mediaType} · ${item.mediaId}</small></h2>`;
    if (item.status === 'failed') {
      return `<section class="item failed" data-media-id="${item.mediaId}">${heading}<p class="reason"><b>${escapeHtml(item.error.code)}</b> (see the failures above)</p></section>`;
    }
    const figures = item.renditions.map((r) => renditionFigure(r, input.src)).join('');
    return `<section class="item" data-media-id="${item.mediaId}">${heading}<div class="renditions">${figures}</div></section>`;
  });
  const zip = input.zip
    ? `<h2>Zip: ${escapeHtml(input.zip.key)} (${formatBytes(input.zip.bytes)}, ${input.zip.entries.length} entries, SHA-256 ${input.zip.sha256})</h2>
<table><tr><th>path</th><th>bytes</th></tr>${input.zip.entries.map((e) => `<tr><td>${escapeHtml(e.path)}</td><td>${e.bytes}</td></tr>`).join('')}</table>`
    : '<h2>Zip: none</h2>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Listing ${escapeHtml(result.listingId)}: contact sheet</title><style>${CONTACT_SHEET_STYLE}</style></head>
<body>
<h1>Listing ${escapeHtml(result.listingId)} · <span class="status-${result.status}">${result.status}</span></h1>
<p class="meta">request ${escapeHtml(result.requestId)} · ${result.summary.succeeded} of ${result.summary.total} succeeded · completed ${result.completedAt} · renditions at their true size (one image pixel per CSS pixel): open one alone to zoom</p>
${failureSummary(input.failures)}
<section id="webhook" class="summary"><h2>Webhook</h2><p>${escapeHtml(input.delivery ?? 'not sent')}</p></section>
${items.join('\n')}
<section id="zip">${zip}</section>
</body></html>
`;
}
