import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ListingMediaResult } from '@toq/contracts';
import {
  ObjectNotFoundError,
  readJsonRecordIfPresent,
  resultStateKey,
  type DeliveryRecord,
  type ObjectStore,
} from '@toq/lambdas';
import { dashboardPage, executionPage } from './dashboard-page.ts';
import { isExecutionName, type History, type HistoryChange } from './history.ts';

/** What "send again" answered: the new delivery record, or why there is none. */
export type ResendOutcome =
  | { readonly ok: true; readonly delivery: DeliveryRecord | undefined }
  | { readonly ok: false; readonly status: 404 | 409 | 502; readonly message: string };

/** What the dashboard reads and does. */
export interface DashboardDeps {
  readonly history: History;
  /** The media bucket (objects, `result.json`). */
  readonly store: ObjectStore;
  /** `@toq/contracts`' JSON Schemas folder. */
  readonly schemasDir: string;
  /** Sends an execution's webhook again (the `callback` function on its stored result). */
  readonly resend: (executionName: string) => Promise<ResendOutcome>;
}

/** A running dashboard. */
export interface DashboardServer {
  /** `http://127.0.0.1:{port}/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const SCHEMA_FILE = /^[a-z0-9][a-z0-9-]*\.json$/;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON_TYPE, `${JSON.stringify(value, null, 1)}\n`);

const problem = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { error: message });

async function schemaIndex(dir: string, base: string) {
  const files = (await readdir(dir)).filter((f) => SCHEMA_FILE.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const schema = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
      return {
        file,
        url: `${base}schemas/${file}`,
        ...(typeof schema['$id'] === 'string' ? { $id: schema['$id'] } : {}),
        ...(typeof schema['title'] === 'string' ? { title: schema['title'] } : {}),
      };
    }),
  );
}

/** An S3 key from the URL path, or undefined when it cannot be one of the bucket's keys. */
function objectKey(path: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = key.split('/');
  return segments.some((s) => s === '' || s === '.' || s === '..') ? undefined : key;
}

/**
 * The dashboard's HTTP server on 127.0.0.1 (its own port):
 * - `GET /`: the requests, the newest first ({@link dashboardPage}); `GET /executions/{name}`:
 *   one execution's page ({@link executionPage});
 * - `GET /schemas/`: the JSON Schemas of `@toq/contracts` as a list (`file`, `url`, `$id`,
 *   `title`); `GET /schemas/{file}.json`: one of them (`application/schema+json`);
 * - `GET /api/requests`: every request with its execution's summary; `GET /api/executions/{name}`:
 *   the execution's record (states, deliveries) and its `ListingMediaResult`;
 *   `POST /api/executions/{name}/resend`: sends its webhook again; `GET /api/events`: the
 *   history's changes as server-sent events (`change`, data `{ kind, id }`);
 * - `GET /objects/{key}`: an object of the media bucket (renditions, the zip), with its type and
 *   length.
 *
 * Requests must name the server by its loopback address (a page of another site cannot reach it
 * through DNS rebinding), and a POST from a browser must come from the dashboard's own pages.
 *
 * @example
 * const dashboard = await startDashboardServer({ history, store, schemasDir, resend }, 4567);
 * await dashboard.close();
 * @throws {Error} with `code` `EADDRINUSE` when the port is taken.
 */
export async function startDashboardServer(
  deps: DashboardDeps,
  port: number,
): Promise<DashboardServer> {
  let base = '';
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, (error as Error).message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { port: own } = server.address() as AddressInfo;
    if (req.headers.host !== `127.0.0.1:${own}` && req.headers.host !== `localhost:${own}`) {
      return problem(res, 421, `Expected the host 127.0.0.1:${own}`);
    }
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      if (origin !== undefined && `${origin}/` !== base && origin !== `http://localhost:${own}`) {
        return problem(res, 403, 'Expected a request from the dashboard');
      }
      const resend = /^\/api\/executions\/([^/]+)\/resend$/.exec(path);
      if (resend?.[1] === undefined) return problem(res, 404, `No POST ${path}`);
      const name = decodeURIComponent(resend[1]);
      if (!isExecutionName(name)) return problem(res, 404, `No execution ${name}`);
      const outcome = await deps.resend(name);
      return outcome.ok
        ? sendJson(res, 200, { delivery: outcome.delivery ?? null })
        : problem(res, outcome.status, outcome.message);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return problem(res, 405, `Expected GET or POST, received ${req.method ?? ''}`);
    }
    if (path === '/') {
      return send(
        res,
        200,
        HTML_TYPE,
        dashboardPage(deps.history.requests(), (name) => deps.history.execution(name)),
      );
    }
    if (path === '/schemas/') return sendJson(res, 200, await schemaIndex(deps.schemasDir, base));
    if (path.startsWith('/schemas/')) {
      const file = path.slice('/schemas/'.length);
      if (!SCHEMA_FILE.test(file) || !(await readdir(deps.schemasDir)).includes(file)) {
        return problem(res, 404, `No schema ${file}`);
      }
      return send(
        res,
        200,
        'application/schema+json',
        await readFile(join(deps.schemasDir, file), 'utf8'),
      );
    }
    if (path === '/api/requests') {
      return sendJson(
        res,
        200,
        deps.history.requests().map((request) => {
          const execution =
            request.executionName === undefined
              ? undefined
              : deps.history.execution(request.executionName);
          return {
            ...request,
            ...(execution
              ? {
                  execution: {
                    name: execution.name,
                    status: execution.status,
                    startedAt: execution.startedAt,
                    stoppedAt: execution.stoppedAt,
                    result: execution.result,
                    delivery: execution.deliveries.at(-1),
                  },
                }
              : {}),
          };
        }),
      );
    }
    const executionPath = /^\/(api\/)?executions\/([^/]+)$/.exec(path);
    if (executionPath?.[2] !== undefined) {
      const name = decodeURIComponent(executionPath[2]);
      const execution = isExecutionName(name) ? deps.history.execution(name) : undefined;
      if (execution === undefined) return problem(res, 404, `No execution ${name}`);
      const listingResult = await readJsonRecordIfPresent(
        deps.store,
        resultStateKey({ listingId: execution.listingId, requestId: execution.requestId }),
        ListingMediaResult,
      );
      return executionPath[1] === undefined
        ? send(res, 200, HTML_TYPE, executionPage(execution, listingResult))
        : sendJson(res, 200, { ...execution, listingResult: listingResult ?? null });
    }
    if (path === '/api/events') return streamChanges(res);
    if (path.startsWith('/objects/')) {
      const key = objectKey(path.slice('/objects/'.length));
      const info = key === undefined ? undefined : await deps.store.head(key);
      if (key === undefined || info === undefined)
        return problem(res, 404, `No object ${path.slice(9)}`);
      const fileName = (key.split('/').at(-1) ?? key).replace(/[^\w.-]/g, '_');
      res.writeHead(200, {
        'content-type': info.contentType ?? 'application/octet-stream',
        'content-length': info.size,
        // The zip downloads under its own name; renditions show in the page.
        ...(fileName.endsWith('.zip')
          ? { 'content-disposition': `attachment; filename="${fileName}"` }
          : {}),
      });
      if (req.method === 'HEAD') return void res.end();
      try {
        return await pipeline(await deps.store.getStream(key), res);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return void res.destroy();
        throw error;
      }
    }
    return problem(res, 404, `No page ${path}`);
  }

  function streamChanges(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': history changes\n\n');
    const onChange = (change: HistoryChange) => {
      const id = change.kind === 'request' ? change.request.messageId : change.execution.name;
      res.write(`event: change\ndata: ${JSON.stringify({ kind: change.kind, id })}\n\n`);
    };
    deps.history.on('change', onChange);
    res.on('close', () => deps.history.off('change', onChange));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${actual}/`;
  return {
    url: base,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
