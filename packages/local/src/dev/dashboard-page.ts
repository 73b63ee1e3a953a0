import type { ListingMediaResult, MediaOutcome } from '@toq/contracts';
import {
  CONTACT_SHEET_STYLE,
  escapeHtml as escape,
  failureSummary,
  formatBytes,
  renditionFigure,
  type Failure,
} from '../contact-sheet.ts';
import type { DeliveryEntry, ExecutionRecord, RequestRecord, StateRecord } from './history.ts';

/** `/objects/{key}`, each segment of the key encoded. */
export function objectUrl(key: string): string {
  return `/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

const executionUrl = (name: string) => `/executions/${encodeURIComponent(name)}`;

/** An ISO time as a person reads it (UTC, to the millisecond), machine-readable in `datetime`. */
function time(iso: string | undefined): string {
  if (iso === undefined) return '';
  return `<time datetime="${escape(iso)}">${escape(iso.replace('T', ' ').replace('Z', ' UTC'))}</time>`;
}

function took(from: string, to: string | undefined): string {
  return to === undefined ? '' : `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(2)} s`;
}

type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'plain';

/** A status as coloured text: the word is always there, the colour only repeats it. */
function badge(text: string, tone: Tone): string {
  return `<span class="badge ${tone}">${escape(text)}</span>`;
}

const EXECUTION_TONES: Readonly<Record<ExecutionRecord['status'], Tone>> = {
  RUNNING: 'busy',
  SUCCEEDED: 'ok',
  FAILED: 'bad',
  INTERRUPTED: 'warn',
};

const OUTCOME_TONES: Readonly<Record<RequestRecord['outcome'], Tone>> = {
  received: 'busy',
  started: 'ok',
  duplicate: 'plain',
  invalid: 'bad',
  'start-failed': 'warn',
};

const STATE_TONES: Readonly<Record<StateRecord['status'], Tone>> = {
  running: 'busy',
  succeeded: 'ok',
  failed: 'bad',
  caught: 'warn',
  interrupted: 'warn',
};

const RESULT_TONES: Readonly<Record<ListingMediaResult['status'], Tone>> = {
  succeeded: 'ok',
  partially_failed: 'warn',
  failed: 'bad',
};

function deliveryBadge(delivery: DeliveryEntry | undefined, execution: ExecutionRecord): string {
  if (delivery === undefined) {
    return execution.status === 'RUNNING' ? '' : badge('webhook not sent', 'warn');
  }
  const answer = delivery.statusCode === null ? 'no answer' : `HTTP ${delivery.statusCode}`;
  return `${badge(delivery.delivered ? 'delivered' : 'NOT delivered', delivery.delivered ? 'ok' : 'bad')} ${escape(answer)}`;
}

function requestRow(request: RequestRecord, execution: ExecutionRecord | undefined): string {
  const deadLetter =
    request.deadLetter === 'sent'
      ? ' · sent to the DLQ'
      : request.deadLetter === 'redrive'
        ? ' · to the DLQ after five receives'
        : '';
  const outcome =
    badge(request.outcome, OUTCOME_TONES[request.outcome]) +
    (request.reason ? `<div class="reason">${escape(request.reason)}${deadLetter}</div>` : '');
  const result = execution?.result;
  const cells = [
    time(request.firstReceivedAt),
    `<code>${escape(request.messageId)}</code>` +
      (request.receiveCount > 1 ? `<br><small>received ${request.receiveCount}×</small>` : ''),
    outcome,
    request.listingId ? `<code>${escape(request.listingId)}</code>` : '',
    request.requestId ? `<code>${escape(request.requestId)}</code>` : '',
    execution
      ? `<a href="${executionUrl(execution.name)}">${badge(execution.status, EXECUTION_TONES[execution.status])} details</a>` +
        (execution.stoppedAt
          ? ` <small>${took(execution.startedAt, execution.stoppedAt)}</small>`
          : '')
      : '',
    result
      ? `${badge(result.status, RESULT_TONES[result.status])} ${result.succeeded} of ${result.total}`
      : '',
    execution ? deliveryBadge(execution.deliveries.at(-1), execution) : '',
  ];
  return `<tr data-message-id="${escape(request.messageId)}" data-outcome="${request.outcome}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

const STYLE = `${CONTACT_SHEET_STYLE}
nav{margin:0 0 12px}
code{font:12px ui-monospace,monospace}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-weight:600;font-size:12px;border:1px solid}
.badge.ok{color:#047857;background:#ecfdf5;border-color:#6ee7b7}
.badge.bad{color:#b91c1c;background:#fef2f2;border-color:#fca5a5}
.badge.warn{color:#b45309;background:#fffbeb;border-color:#fcd34d}
.badge.busy{color:#1d4ed8;background:#eff6ff;border-color:#93c5fd}
.badge.plain{color:#374151;background:#f3f4f6;border-color:#d1d5db}
.reason{color:#b91c1c;font-size:12px;max-width:40em}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0}
dt{color:#4b5563}dd{margin:0}
#resend-status:empty{display:none}
`;

/**
 * The page around `body`: the live part is `<main id="live">`, which the inline script fetches
 * again (the same URL) and swaps in when `/api/events` says the history changed; `execution`
 * limits that to one execution's changes.
 */
function layout(title: string, body: string, execution?: string): string {
  const only = execution === undefined ? '' : ` data-execution="${escape(execution)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body data-events="connecting">
<nav><a href="/">Requests</a> · JSON: <a href="/api/requests">api/requests</a> · schemas: <a href="/schemas/">schemas/</a> · <span id="events-state">live updates: connecting…</span></nav>
<p id="resend-status" role="status"></p>
<main id="live"${only}>
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Runs in the browser: live refresh, and "send again". */
const SCRIPT = `
const live = document.getElementById('live');
let fetching = false;
let again = false;
let timer;
async function refresh() {
  if (fetching) { again = true; return; }
  fetching = true;
  try {
    const response = await fetch(location.pathname, { cache: 'no-store' });
    if (response.ok) {
      const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
      if (next) live.replaceChildren(...next.childNodes);
    }
  } finally {
    fetching = false;
    if (again) { again = false; schedule(); }
  }
}
function schedule() { timer ??= setTimeout(() => { timer = undefined; void refresh(); }, 200); }
const events = new EventSource('/api/events');
const eventsState = document.getElementById('events-state');
events.addEventListener('open', () => {
  document.body.dataset.events = 'open';
  eventsState.textContent = 'live updates: on';
  schedule(); // whatever changed while it was not listening
});
events.addEventListener('error', () => {
  document.body.dataset.events = 'reconnecting';
  eventsState.textContent = 'live updates: reconnecting…';
});
events.addEventListener('change', (event) => {
  const only = live.dataset.execution;
  if (only === undefined || JSON.parse(event.data).id === only) schedule();
});
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-resend]');
  if (!button) return;
  const status = document.getElementById('resend-status');
  button.disabled = true;
  status.textContent = 'Sending the webhook again…';
  try {
    const response = await fetch('/api/executions/' + encodeURIComponent(button.dataset.resend) + '/resend', { method: 'POST' });
    const body = await response.json();
    status.textContent = response.ok
      ? 'Sent again: ' + (body.delivery ? (body.delivery.delivered ? 'delivered' : 'NOT delivered') + ', HTTP ' + (body.delivery.statusCode ?? 'no answer') : 'no delivery')
      : 'Not sent: ' + body.error;
  } catch (error) {
    status.textContent = 'Not sent: ' + error.message;
  }
  await refresh();
});
`;

/**
 * The dashboard's home: every message the service received, the newest first: when, its id, what
 * became of it (an invalid one with its reason), its listing and request ids, and its execution
 * (status, result, webhook) linking to the execution's page. Live: it redraws itself when the
 * history changes.
 *
 * @example
 * res.end(dashboardPage(history.requests(), (name) => history.execution(name)));
 */
export function dashboardPage(
  requests: readonly RequestRecord[],
  execution: (name: string) => ExecutionRecord | undefined,
): string {
  const rows = requests.map((request) =>
    requestRow(
      request,
      request.executionName === undefined ? undefined : execution(request.executionName),
    ),
  );
  const body = `<h1>Requests</h1>
<p class="meta">${requests.length} message(s) received, the newest first.</p>
<table id="requests">
<thead><tr><th>received</th><th>message id</th><th>outcome</th><th>listing id</th><th>request id</th><th>execution</th><th>result</th><th>webhook</th></tr></thead>
<tbody>
${rows.length ? rows.join('\n') : '<tr><td colspan="8">No message yet: send a ProcessingRequest to the queue.</td></tr>'}
</tbody>
</table>`;
  return layout('toq-media: npm run dev', body);
}

/** What the request calls an item: the backend's upload, `{mediaId}.{ext}` (there is no file name). */
function itemName(execution: ExecutionRecord, mediaId: string): string {
  const entry = execution.input.media.find((m) => m.mediaId === mediaId);
  return entry === undefined ? mediaId : `${entry.mediaId}.${entry.ext}`;
}

function failuresOf(execution: ExecutionRecord, result: ListingMediaResult): Failure[] {
  const items = result.media.flatMap((item) =>
    item.status === 'failed'
      ? [{ fileName: itemName(execution, item.mediaId), ...item.error }]
      : [],
  );
  return [...items, ...result.errors];
}

function itemSection(execution: ExecutionRecord, item: MediaOutcome): string {
  const entry = execution.input.media.find((m) => m.mediaId === item.mediaId);
  const uploaded = entry?.bytes === undefined ? '' : ` · uploaded ${formatBytes(entry.bytes)}`;
  const heading = `<h2>${escape(itemName(execution, item.mediaId))} <small>${item.mediaType}${uploaded}</small> ${badge(item.status, item.status === 'failed' ? 'bad' : 'ok')}</h2>`;
  if (item.status === 'failed') {
    return `<section class="item failed" data-media-id="${escape(item.mediaId)}">${heading}<p class="reason"><b class="code">${escape(item.error.code)}</b>: ${escape(item.error.message)}</p></section>`;
  }
  const figures = item.renditions.map((r) => renditionFigure(r, objectUrl)).join('');
  return `<section class="item" data-media-id="${escape(item.mediaId)}">${heading}<div class="renditions">${figures}</div></section>`;
}

/** The items, the failed ones first (each group in request order). */
function itemsOf(execution: ExecutionRecord, result: ListingMediaResult | undefined): string {
  if (result === undefined) {
    const pending = execution.input.media
      .map((m) => `<li><code>${escape(`${m.mediaId}.${m.ext}`)}</code> ${m.mediaType}</li>`)
      .join('');
    return `<section id="items"><h2>Items</h2><p>No result yet (${execution.input.media.length} item(s) requested).</p><ul>${pending}</ul></section>`;
  }
  const ordered = [
    ...result.media.filter((m) => m.status === 'failed'),
    ...result.media.filter((m) => m.status !== 'failed'),
  ];
  return `<div id="items">${ordered.map((item) => itemSection(execution, item)).join('\n')}</div>`;
}

function zipOf(result: ListingMediaResult | undefined): string {
  if (result === undefined) return '';
  const zip = result.zip;
  const body = zip
    ? `<a id="zip-link" href="${objectUrl(zip.key)}" download>Download the zip</a> · <code>${escape(zip.key)}</code> · ${formatBytes(zip.bytes)} (${zip.bytes} bytes) · ${zip.entries} entries`
    : 'No zip (no item succeeded, or it failed: see the failures).';
  return `<section id="zip"><h2>Zip</h2><p>${body}</p></section>`;
}

function attemptText(attempt: DeliveryEntry['attempts'][number]): string {
  const what =
    attempt.outcome === 'response'
      ? `HTTP ${attempt.statusCode}`
      : attempt.outcome === 'network-error'
        ? `network error: ${attempt.message}`
        : attempt.outcome === 'refused'
          ? `refused: ${attempt.reason}`
          : 'timed out';
  return `#${attempt.attempt} ${time(attempt.at)} ${escape(what)}`;
}

function webhookOf(execution: ExecutionRecord): string {
  const rows = execution.deliveries.map(
    (d, i) =>
      `<tr class="delivery"><td>${i + 1}</td><td>${d.trigger === 'resend' ? 'send again' : 'execution'}</td><td>${time(d.recordedAt)}</td><td>${badge(d.delivered ? 'delivered' : 'NOT delivered', d.delivered ? 'ok' : 'bad')}</td><td>${d.statusCode === null ? 'no answer' : `HTTP ${d.statusCode}`}</td><td>${d.attempts.length}: ${d.attempts.map(attemptText).join('<br>')}</td></tr>`,
  );
  // Only a finished execution has a result to send.
  const button =
    execution.status !== 'RUNNING' && execution.result
      ? `<p><button type="button" data-resend="${escape(execution.name)}">Send again</button> POSTs the webhook once more to <code>${escape(execution.callbackUrl)}</code> (same webhook-id, new signature).</p>`
      : '';
  return `<section id="webhook"><h2>Webhook deliveries</h2>
${rows.length ? `<table id="deliveries"><thead><tr><th>#</th><th>by</th><th>recorded</th><th>status</th><th>answer</th><th>attempts</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : `<p>None yet: to <code>${escape(execution.callbackUrl)}</code>.</p>`}
${button}</section>`;
}

function statesOf(execution: ExecutionRecord): string {
  const rows = execution.states.map(
    (s) =>
      `<tr class="state" data-state="${escape(s.name)}" data-status="${s.status}"><td>${escape(s.name)}</td><td>${escape(s.type)}</td><td>${s.index ?? ''}</td><td>${s.run}</td><td>${time(s.enteredAt)}</td><td>${time(s.exitedAt)}</td><td>${took(s.enteredAt, s.exitedAt)}</td><td>${s.retries || ''}</td><td>${badge(s.status, STATE_TONES[s.status])}</td><td>${s.error ? escape(s.error) : ''}</td></tr>`,
  );
  return `<section id="states"><h2>States</h2>
<table><thead><tr><th>state</th><th>type</th><th>item</th><th>run</th><th>entered</th><th>exited</th><th>took</th><th>retries</th><th>status</th><th>error</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/**
 * One execution's page: its status and times, then (once consolidated) the failures with their
 * codes, the webhook deliveries with "send again", the zip to download, every item (failed
 * ones first) with each rendition at its true size, dimensions and bytes, and last every state
 * with its times, retries, status and error. Live while the execution runs.
 *
 * @example
 * res.end(executionPage(history.execution(name), listingResult));
 */
export function executionPage(
  execution: ExecutionRecord,
  result: ListingMediaResult | undefined,
): string {
  const error = execution.error
    ? `<dt>error</dt><dd class="reason"><b>${escape(execution.error.Error)}</b>: ${escape(execution.error.Cause)}</dd>`
    : '';
  const body = `<h1>Execution <code>${escape(execution.name)}</code> <span id="execution-status">${badge(execution.status, EXECUTION_TONES[execution.status])}</span></h1>
<section id="summary"><dl>
<dt>listing id</dt><dd><code>${escape(execution.listingId)}</code></dd>
<dt>request id</dt><dd><code>${escape(execution.requestId)}</code></dd>
<dt>message id</dt><dd><code>${escape(execution.messageId ?? '')}</code></dd>
<dt>started</dt><dd>${time(execution.startedAt)}</dd>
<dt>stopped</dt><dd>${time(execution.stoppedAt)} ${took(execution.startedAt, execution.stoppedAt)}</dd>
<dt>runs</dt><dd>${execution.runs}</dd>
<dt>result</dt><dd>${result ? `${badge(result.status, RESULT_TONES[result.status])} ${result.summary.succeeded} of ${result.summary.total} succeeded` : 'not yet'}</dd>
${error}</dl></section>
${result ? failureSummary(failuresOf(execution, result)) : ''}
${webhookOf(execution)}
${zipOf(result)}
${itemsOf(execution, result)}
${statesOf(execution)}`;
  return layout(`Execution ${execution.name}`, body, execution.name);
}
