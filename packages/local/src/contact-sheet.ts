import type { ListingMediaResult, Rendition } from '@toq/contracts';

/** One entry of the zip, as its central directory lists it. */
export interface ZipListing {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly entries: readonly { readonly path: string; readonly bytes: number }[];
}

/** What the contact sheet shows. */
export interface ContactSheetInput {
  readonly result: ListingMediaResult;
  /** The original file name of each media id (the folder's files). */
  readonly fileNames: ReadonlyMap<string, string>;
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

function figure(rendition: Rendition, src: (key: string) => string): string {
  const url = escapeHtml(src(rendition.key));
  const shown = Math.min(rendition.width, 320);
  const media =
    rendition.ext === 'mp4'
      ? `<video src="${url}" width="${shown}" controls muted preload="metadata"></video>`
      : `<img src="${url}" width="${shown}" alt="${escapeHtml(`${rendition.size} rendition`)}" loading="eager">`;
  return `<figure>${media}<figcaption><b>${rendition.size}</b> · ${rendition.width}×${rendition.height} · ${rendition.ext} · ${formatBytes(rendition.bytes)}</figcaption></figure>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#4b5563;margin:0 0 16px}
.status-succeeded{color:#047857}.status-partially_failed{color:#b45309}.status-failed{color:#b91c1c}
section.item{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px;margin:0 0 12px}
section.item h2{font-size:15px;margin:0 0 8px}
section.failed{border-color:#dc2626;background:#fef2f2}
section.failed h2,.reason{color:#b91c1c}
.renditions{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end}
figure{margin:0;background:repeating-conic-gradient(#e5e7eb 0 25%,#fff 0 50%) 0 0/16px 16px}
figcaption{background:#fff;font-size:12px;padding:2px 0}
img,video{display:block;max-width:320px;height:auto}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e5e7eb;padding:2px 8px;text-align:left;font-size:12px}
`;

/**
 * The run's contact sheet: one HTML page with every item of the `ListingMediaResult` in request
 * order: each rendition at its size (an `<img>`, or a `<video>` for the MP4) with its dimensions
 * and bytes, each failed item in red with its code and reason, the listing's errors, and the
 * zip's entries.
 *
 * @example
 * await writeFile('contact-sheet.html', contactSheet({ result, fileNames, src: (k) => `bucket/${k}` }));
 */
export function contactSheet(input: ContactSheetInput): string {
  const { result } = input;
  const items = result.media.map((item) => {
    const name = escapeHtml(input.fileNames.get(item.mediaId) ?? item.mediaId);
    const heading = `<h2>${name} <small>${item.mediaType} · ${item.mediaId}</small></h2>`;
    if (item.status === 'failed') {
      return `<section class="item failed" data-media-id="${item.mediaId}">${heading}<p class="reason"><b>${escapeHtml(item.error.code)}</b>: ${escapeHtml(item.error.message)}</p></section>`;
    }
    const figures = item.renditions.map((r) => figure(r, input.src)).join('');
    return `<section class="item" data-media-id="${item.mediaId}">${heading}<div class="renditions">${figures}</div></section>`;
  });
  const errors = result.errors.map(
    (e) => `<li class="reason"><b>${escapeHtml(e.code)}</b>: ${escapeHtml(e.message)}</li>`,
  );
  const zip = input.zip
    ? `<h2>Zip: ${escapeHtml(input.zip.key)} (${formatBytes(input.zip.bytes)}, ${input.zip.entries.length} entries, SHA-256 ${input.zip.sha256})</h2>
<table><tr><th>path</th><th>bytes</th></tr>${input.zip.entries.map((e) => `<tr><td>${escapeHtml(e.path)}</td><td>${e.bytes}</td></tr>`).join('')}</table>`
    : '<h2>Zip: none</h2>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Listing ${result.listingId}: contact sheet</title><style>${STYLE}</style></head>
<body>
<h1>Listing ${result.listingId} · <span class="status-${result.status}">${result.status}</span></h1>
<p class="meta">request ${escapeHtml(result.requestId)} · ${result.summary.succeeded} of ${result.summary.total} succeeded · completed ${result.completedAt}${input.delivery ? ` · webhook: ${escapeHtml(input.delivery)}` : ''}</p>
${errors.length ? `<ul>${errors.join('')}</ul>` : ''}
${items.join('\n')}
${zip}
</body></html>
`;
}
