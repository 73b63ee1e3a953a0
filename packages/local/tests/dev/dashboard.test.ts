import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListingMediaResult } from '@toq/contracts';
import type { WebhookReceiver } from '@toq/lambdas/webhook-receiver';
import { launchChromium } from '../../../../tools/testing/browser.ts';
import type { ExecutionRecord, RequestRecord } from '../../src/dev/history.ts';
import {
  FILES,
  clients,
  dashboardJson,
  sendListing,
  type RunningDev,
  startDevWithReceiver,
  stopDevWithReceiver,
  verifiedWebhooks,
} from './support.ts';

/** The screenshots (an execution's page; the requests) are kept with the test reports. */
const SCREENSHOT = join(import.meta.dirname, '../../../../reports/dev/dashboard.png');
const REQUESTS_SCREENSHOT = join(SCREENSHOT, '../dashboard-requests.png');
/** Generous: a slow 2-core machine renders the photo while Chromium runs. */
const SLOW_MS = 150_000;
const NOT_JSON = 'this is not a ProcessingRequest';

let dev: RunningDev;
let receiver: WebhookReceiver;
let browser: Browser;
let page: Page;
let listing: Awaited<ReturnType<typeof sendListing>>;
let poisonId: string;

beforeAll(async () => {
  ({ dev, receiver } = await startDevWithReceiver('dashboard'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopDevWithReceiver(dev, receiver);
});

const executionName = () => `${listing.request.listingId}_${listing.request.requestId}`;

/** The verified (signature checked) webhooks of the listing so far. */
const listingWebhooks = () => verifiedWebhooks(receiver, listing.request.requestId);

describe('the npm run dev dashboard in headless Chromium', { timeout: 4 * SLOW_MS }, () => {
  it('shows requests live, the newest first, an unparseable one with its reason, and the execution reaching SUCCEEDED without a reload', async () => {
    // Prepare: the page is open before anything is sent.
    await page.goto(dev.connection.dashboardUrl, { waitUntil: 'load' });
    await page.waitForSelector('body[data-events="open"]');
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    // Act
    listing = await sendListing(dev.connection, [FILES.photo, FILES.broken], receiver.url);
    await page.waitForSelector(`tr[data-message-id="${listing.messageId}"]`, { timeout: SLOW_MS });
    const { sqs } = clients(dev.connection);
    const poison = await sqs.send(
      new SendMessageCommand({ QueueUrl: dev.connection.queueUrl, MessageBody: NOT_JSON }),
    );
    poisonId = poison.MessageId ?? '';
    await page.waitForSelector(`tr[data-message-id="${poisonId}"][data-outcome="invalid"]`, {
      timeout: SLOW_MS,
    });
    await page.waitForSelector(
      `tr[data-message-id="${listing.messageId}"] a[href="/executions/${executionName()}"] .badge.ok`,
      { timeout: SLOW_MS },
    );

    // Assess
    const rows = await page.$$eval('#requests tbody tr', (all) =>
      all.map((row) => ({
        messageId: row.getAttribute('data-message-id'),
        cells: [...row.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
      })),
    );
    expect(rows.map((r) => r.messageId)).toEqual([poisonId, listing.messageId]);
    const requests = await dashboardJson<RequestRecord[]>(dev.connection, 'api/requests');
    const invalid = requests.find((r) => r.messageId === poisonId);
    expect(invalid?.outcome).toBe('invalid');
    expect(invalid?.reason).toBeTruthy();
    const [poisonRow, listingRow] = rows;
    expect(poisonRow?.cells[2]).toContain('invalid');
    expect(poisonRow?.cells[2]).toContain(invalid?.reason);
    expect(listingRow?.cells.slice(2, 6)).toEqual([
      'started',
      listing.request.listingId,
      listing.request.requestId,
      expect.stringMatching(/^SUCCEEDED details/),
    ]);
    expect(listingRow?.cells[6]).toContain('partially_failed 1 of 2');
    expect(await page.evaluate(() => 'notReloaded' in globalThis)).toBe(true);
    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: REQUESTS_SCREENSHOT });
  });

  it('shows the execution: states with times, the failed item first with its code, renditions at their true size, the zip', async () => {
    // Act
    await page.click(`a[href="/executions/${executionName()}"]`);
    await page.waitForSelector('#states');
    // A string: it runs in the page, and this package's types have no DOM.
    await page.waitForFunction(
      '[...document.images].every((i) => i.complete && i.naturalWidth > 0)',
      undefined,
      { timeout: SLOW_MS },
    );

    // Assess: the states, each with its times.
    const states = await page.$$eval('#states tbody tr', (all) =>
      all.map((row) => ({
        name: row.getAttribute('data-state'),
        status: row.getAttribute('data-status'),
        times: [...row.querySelectorAll('time')].map((t) => t.getAttribute('datetime') ?? ''),
      })),
    );
    expect(states.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Validate', 'RenderPhoto', 'BundleZip', 'Consolidate', 'Callback']),
    );
    for (const state of states) {
      expect(state.status, String(state.name)).toMatch(/^(succeeded|caught)$/);
      const [entered = '', exited = ''] = state.times;
      expect(Date.parse(exited) >= Date.parse(entered), String(state.name)).toBe(true);
    }

    // The failed item first, with its code, in the summary and among the items.
    const record = await dashboardJson<ExecutionRecord & { listingResult: ListingMediaResult }>(
      dev.connection,
      `api/executions/${executionName()}`,
    );
    const result = record.listingResult;
    const broken = listing.request.media[1];
    const items = await page.$$eval('#items > section.item', (all) =>
      all.map((s) => ({
        mediaId: s.getAttribute('data-media-id'),
        failed: s.classList.contains('failed'),
        code: s.querySelector('.code')?.textContent ?? null,
      })),
    );
    expect(items).toEqual([
      { mediaId: broken?.mediaId, failed: true, code: 'CORRUPT_IMAGE' },
      { mediaId: listing.request.media[0]?.mediaId, failed: false, code: null },
    ]);
    const summary = await page.$$eval('#failures tr', (rows) =>
      rows.slice(1).map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(summary).toEqual([
      [`${broken?.mediaId}.${broken?.ext}`, 'CORRUPT_IMAGE', expect.stringMatching(/\S/)],
    ]);

    // Every rendition decoded and shown pixel for pixel, at the width the result records.
    const renditions = new Map(
      result.media
        .flatMap((m) => (m.status === 'succeeded' ? m.renditions : []))
        .map((r) => [`/objects/${r.key}`, r]),
    );
    const images = await page.$$eval('#items img', (all) =>
      all.map((image) => ({
        src: image.getAttribute('src') ?? '',
        naturalWidth: image.naturalWidth,
        shownWidth: image.getBoundingClientRect().width,
        caption: image.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
      })),
    );
    expect(images.map((i) => i.src).sort()).toEqual([...renditions.keys()].sort());
    for (const image of images) {
      const rendition = renditions.get(image.src);
      expect([image.naturalWidth, image.shownWidth], image.src).toEqual([
        rendition?.width,
        rendition?.width,
      ]);
      expect(image.caption).toContain(`${rendition?.width}×${rendition?.height} px`);
    }

    // The zip downloads, and is one.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#zip-link')]);
    const zip = await readFile(await download.path());
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(zip.length).toBe(result.zip?.bytes);
  });

  it('sends the webhook again from the button: a second delivery, received and signed', async () => {
    // Prepare
    expect(await page.$$('#deliveries tr.delivery')).toHaveLength(1);
    expect(listingWebhooks()).toHaveLength(1);

    // Act
    await page.click(`button[data-resend="${executionName()}"]`);
    await page.waitForSelector('#deliveries tr.delivery:nth-child(2)', { timeout: SLOW_MS });

    // Assess
    const deliveries = await page.$$eval('#deliveries tr.delivery', (rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].slice(1, 5).map((td) => td.textContent)),
    );
    expect(deliveries).toEqual([
      ['execution', expect.any(String), 'delivered', 'HTTP 204'],
      ['send again', expect.any(String), 'delivered', 'HTTP 204'],
    ]);
    expect(await page.textContent('#resend-status')).toBe('Sent again: delivered, HTTP 204');
    const webhooks = listingWebhooks();
    expect(webhooks).toHaveLength(2);
    expect(webhooks[1]?.headers['webhook-id']).toBe(webhooks[0]?.headers['webhook-id']);
    // The screenshot shows the page with both deliveries.
    await page.screenshot({ path: SCREENSHOT });
  });
});
