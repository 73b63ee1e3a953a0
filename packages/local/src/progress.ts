import type { EventLog, LocalExecution } from './local-step-functions.ts';

/** The top-level steps, in the order an execution meets them. */
const STEPS = ['Validate', 'ProcessMedia', 'BundleZip', 'Consolidate', 'Callback'] as const;
/** The states whose exit ends one item (its outcome is the state's output). */
const ITEM_END_STATES: Readonly<Record<string, 'photo' | 'video'>> = {
  RenderPhoto: 'photo',
  RecordPhotoFailure: 'photo',
  PhotoFailed: 'photo',
  FinishVideo: 'video',
  RecordVideoFailure: 'video',
  VideoFailed: 'video',
};

type StepState = 'waiting' | 'running' | 'done' | 'failed';

/** An item of the listing, as the folder gave it. */
export interface ListedItem {
  readonly mediaId: string;
  readonly fileName: string;
  readonly mediaType: 'photo' | 'video';
}

interface ItemLine {
  readonly mediaType: 'photo' | 'video';
  status: 'running' | 'succeeded' | 'failed' | 'retrying';
  detail?: string;
}

/** Where progress goes: a terminal redrawn in place, or plain lines. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * The local run's progress: per step (Validate, ProcessMedia, BundleZip, Consolidate, Callback)
 * and per item (each photo and video, by file name). On a terminal it redraws one block in place
 * (at most ten times a second); elsewhere (a pipe, CI) it prints one plain line per change.
 *
 * @example
 * const progress = new Progress(process.stderr);
 * await runListing({ out, onEvent: progress.onEvent, onStep: progress.onStep });
 * progress.finish();
 */
export class Progress {
  readonly #steps = new Map<string, { state: StepState; startedAt?: number; ms?: number }>(
    STEPS.map((s) => [s, { state: 'waiting' as StepState }]),
  );
  readonly #items = new Map<string, ItemLine>();
  readonly #listed = new Map<string, ListedItem>();
  readonly #totals = { photo: 0, video: 0 };
  readonly #messages: string[] = [];
  #drawnLines = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly output: ProgressOutput) {}

  /**
   * The listing's items: each is named by its file (`Landscape_3.jpg`) rather than its media id,
   * and counted in its media type's total.
   */
  setListing(items: readonly ListedItem[]): void {
    for (const item of items) {
      this.#listed.set(item.mediaId, item);
      this.#totals[item.mediaType] += 1;
    }
  }

  /** A line from the runner (uploads, queue, where the outputs are). */
  readonly onStep = (message: string): void => {
    if (this.output.isTTY) {
      this.#messages.push(message);
      this.#schedule();
    } else this.output.write(`${message}\n`);
  };

  /** Every event of the local execution. */
  readonly onEvent = (event: EventLog, _execution: LocalExecution): void => {
    const line = this.#apply(event);
    if (this.output.isTTY) this.#schedule();
    else if (line) this.output.write(`${line}\n`);
  };

  /** Draws the final state (terminal) and stops redrawing. */
  finish(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.output.isTTY) this.#draw();
  }

  #name(mediaId: unknown): string {
    const id = String(mediaId);
    return this.#listed.get(id)?.fileName ?? id;
  }

  /** Updates the model; returns the plain line for this event, if it is worth one. */
  #apply(event: EventLog): string | undefined {
    switch (event.type) {
      case 'StateEntered': {
        const step = this.#steps.get(event.state.name);
        if (step) {
          step.state = 'running';
          step.startedAt = event.timestamp;
          return `▶ ${event.state.name}`;
        }
        const input = event.state.input as { mediaId?: string; mediaType?: string } | null;
        if (
          (event.state.name === 'RenderPhoto' || event.state.name === 'PrepareTranscode') &&
          input?.mediaId
        ) {
          if (!this.#items.has(input.mediaId)) {
            this.#items.set(input.mediaId, {
              mediaType: event.state.name === 'RenderPhoto' ? 'photo' : 'video',
              status: 'running',
            });
          }
        }
        return undefined;
      }
      case 'StateExited': {
        const step = this.#steps.get(event.state.name);
        if (step) {
          step.ms = event.timestamp - (step.startedAt ?? event.timestamp);
          if (step.state === 'failed') return undefined;
          step.state = 'done';
          const done = `✓ ${event.state.name} (${(step.ms / 1000).toFixed(1)} s)`;
          if (event.state.name !== 'Validate') return done;
          return [done, ...this.#rejected(event.state.output)].join('\n');
        }
        const mediaType = ITEM_END_STATES[event.state.name];
        const output = event.state.output as { mediaId?: string; status?: string; error?: string };
        if (mediaType && output?.mediaId) {
          const item = this.#items.get(output.mediaId) ?? { mediaType, status: 'running' };
          item.status = output.status === 'succeeded' ? 'succeeded' : 'failed';
          if (output.error) item.detail = output.error;
          this.#items.set(output.mediaId, item);
          const done = [...this.#items.values()].filter(
            (i) => i.mediaType === mediaType && (i.status === 'succeeded' || i.status === 'failed'),
          ).length;
          return `  ${mediaType} ${done}/${this.#totals[mediaType] || '?'} ${this.#name(output.mediaId)}: ${item.status}${output.error ? ` (${output.error})` : ''}`;
        }
        return undefined;
      }
      case 'StateRetried': {
        const input = event.state.input as { mediaId?: string } | null;
        const item = input?.mediaId ? this.#items.get(input.mediaId) : undefined;
        if (item) item.status = 'retrying';
        return `  ↻ retrying ${event.state.name}${input?.mediaId ? ` for ${this.#name(input.mediaId)}` : ''} (attempt ${event.retry.attempt + 1})`;
      }
      case 'StateCaught': {
        const step = this.#steps.get(event.state.name);
        if (step) step.state = 'failed';
        return step ? `✗ ${event.state.name} failed (its Catch takes over)` : undefined;
      }
      case 'StateFailed': {
        const step = this.#steps.get(event.state.name);
        if (step) step.state = 'failed';
        return undefined;
      }
      case 'ExecutionSucceeded':
        return '✓ execution succeeded';
      case 'ExecutionFailed':
        return `✗ execution failed: ${event.Error}: ${String(event.Cause ?? '')}`;
      default:
        return undefined;
    }
  }

  /**
   * Marks failed the listed items `Validate` did not pass on to the Map states (`output.photos`,
   * `output.videos`): they never reach a state of their own, so the bars would wait for them.
   * Returns a plain line for each; the run's summary gives the reason.
   */
  #rejected(output: unknown): string[] {
    const accepted = output as { photos?: { mediaId: string }[]; videos?: { mediaId: string }[] };
    const passed = new Set(
      [...(accepted.photos ?? []), ...(accepted.videos ?? [])].map((m) => m.mediaId),
    );
    const lines: string[] = [];
    for (const [mediaId, listed] of this.#listed) {
      if (passed.has(mediaId) || this.#items.has(mediaId)) continue;
      this.#items.set(mediaId, {
        mediaType: listed.mediaType,
        status: 'failed',
        detail: 'rejected by Validate',
      });
      lines.push(`  ✗ ${listed.fileName}: rejected by Validate`);
    }
    return lines;
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#draw();
    }, 100);
  }

  #draw(): void {
    const width = Math.max(40, (this.output.columns || 100) - 1);
    const lines: string[] = [...this.#messages.splice(0)];
    const block: string[] = [];
    const icon: Record<StepState, string> = { waiting: '·', running: '▶', done: '✓', failed: '✗' };
    block.push(
      STEPS.map((name) => {
        const step = this.#steps.get(name) ?? { state: 'waiting' as StepState };
        return `${icon[step.state]} ${name}${step.ms !== undefined ? ` ${(step.ms / 1000).toFixed(1)}s` : ''}`;
      }).join('  '),
    );
    for (const type of ['photo', 'video'] as const) {
      const total = this.#totals[type];
      if (total === 0) continue;
      const items = [...this.#items.values()].filter((i) => i.mediaType === type);
      const ended = items.filter((i) => i.status === 'succeeded' || i.status === 'failed').length;
      const failed = items.filter((i) => i.status === 'failed').length;
      const bar = 30;
      const filled = Math.round((ended / total) * bar);
      block.push(
        `${type}s [${'#'.repeat(filled)}${'.'.repeat(bar - filled)}] ${ended}/${total}${failed ? `, ${failed} failed` : ''}`,
      );
    }
    const active = [...this.#items.entries()].filter(
      ([, i]) => i.status === 'running' || i.status === 'retrying',
    );
    if (active.length > 0) {
      // Entered, not necessarily running: the Map starts up to 20 iterations, the local
      // concurrency limits run a few of them at a time.
      const names = active.map(
        ([id, i]) => `${i.status === 'retrying' ? '↻ ' : ''}${this.#name(id)}`,
      );
      block.push(`  … ${active.length} in flight: ${names.join(', ')}`);
    }
    const failed = [...this.#items.entries()].filter(([, i]) => i.status === 'failed');
    for (const [id, item] of failed.slice(0, 6)) {
      block.push(`  ✗ ${this.#name(id)}${item.detail ? ` (${item.detail})` : ''}`);
    }
    if (failed.length > 6) block.push(`  ✗ … and ${failed.length - 6} more`);
    const clear = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}A\x1b[0J` : '';
    const text = [...lines, ...block].map((l) => l.slice(0, width)).join('\n');
    this.output.write(`${clear}${text}\n`);
    this.#drawnLines = block.length;
  }
}
