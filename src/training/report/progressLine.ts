// What `cnnc train` shows while it trains. On a terminal: one live line, rewritten in place at most
// ~10 times a second, `epoch 2/5  step 312/938  loss 0.4123  acc 85.1%  612 img/s  ETA 3m12s`, with
// full lines (an epoch's test results) printed above it. Elsewhere (a log file, CI): the same text as
// plain lines, at most one per interval and one at each epoch's end, with no control characters.
import { escapeUnsafe } from "../../../grammar/displayText.js";
import { rewriteLine } from "../../cli/io.js";

export interface TrainProgressTotals {
  epochs: number;
  stepsPerEpoch: number;
}

export interface TrainProgressState {
  /** 1-based. */
  epoch: number;
  /** Optimizer steps done in this epoch, 0 to stepsPerEpoch. */
  step: number;
  /** The latest training loss and accuracy (a fraction in [0, 1]); null until the first are read back. */
  loss: number | null;
  accuracy: number | null;
  imagesPerSecond: number | null;
  /** Seconds since this process started training (the ETA is the pace since the first update). */
  elapsedSeconds: number;
}

export interface TrainProgressOptions {
  /** Milliseconds, for the terminal's redraw limit (tests pass their own clock). */
  now?: () => number;
  /** Plain output: a line once this many seconds passed since the last one (default 10)... */
  plainIntervalSeconds?: number;
  /** ...or, when given, once this many steps did, whichever comes first (and one at each epoch's end). */
  plainIntervalSteps?: number;
}

/**
 * Where the progress goes: process.stderr, or anything that writes text (declared here rather than
 * with Node's stream types, which a consumer of the package's declarations need not have).
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The terminal is redrawn at most this often (milliseconds). */
const REDRAW_INTERVAL = 100;

/** `42s`, `3m12s`, `1h05m`. */
export function formatEta(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** A number as written in the line; NaN and Infinity stay visible as such. */
function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export class TrainProgress {
  private readonly terminal: boolean;
  private readonly now: () => number;
  private live = "";
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private lastPlain: { time: number; step: number } | undefined;
  /** The first update's position and time: the ETA's pace is measured from it (compiling excluded). */
  private start: { done: number; elapsed: number } | undefined;
  private pending: TrainProgressState | undefined;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totals: TrainProgressTotals,
    private readonly options: TrainProgressOptions = {},
  ) {
    this.terminal = stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
  }

  /** The line for `state`: `epoch 2/5  step 312/938  loss 0.4123  acc 85.1%  612 img/s  ETA 3m12s`. */
  describe(state: TrainProgressState): string {
    const { epochs, stepsPerEpoch } = this.totals;
    const parts = [`epoch ${state.epoch}/${epochs}`, `step ${state.step}/${stepsPerEpoch}`];
    if (state.loss !== null) parts.push(`loss ${fixed(state.loss, 4)}`);
    if (state.accuracy !== null) parts.push(`acc ${fixed(100 * state.accuracy, 1)}%`);
    if (state.imagesPerSecond !== null) parts.push(`${fixed(state.imagesPerSecond, 0)} img/s`);
    const eta = this.etaSeconds(state);
    if (eta !== undefined) parts.push(`ETA ${formatEta(eta)}`);
    return parts.join("  ");
  }

  private done(state: TrainProgressState): number {
    return (state.epoch - 1) * this.totals.stepsPerEpoch + state.step;
  }

  private etaSeconds(state: TrainProgressState): number | undefined {
    const start = this.start;
    const done = this.done(state);
    if (start === undefined || done <= start.done || state.elapsedSeconds <= start.elapsed) return undefined;
    const remaining = this.totals.epochs * this.totals.stepsPerEpoch - done;
    return ((state.elapsedSeconds - start.elapsed) / (done - start.done)) * remaining;
  }

  update(state: TrainProgressState): void {
    this.start ??= { done: this.done(state), elapsed: state.elapsedSeconds };
    const epochEnd = state.step >= this.totals.stepsPerEpoch;
    const time = this.now();
    if (this.terminal) {
      if (!epochEnd && time - this.lastDrawn < REDRAW_INTERVAL) {
        this.pending = state;
        return;
      }
      this.draw(this.describe(state), time);
      return;
    }
    const last = this.lastPlain;
    const intervalSeconds = this.options.plainIntervalSeconds ?? 10;
    const intervalSteps = this.options.plainIntervalSteps;
    const due =
      last === undefined ||
      epochEnd ||
      time - last.time >= intervalSeconds * 1000 ||
      (intervalSteps !== undefined && this.done(state) - last.step >= intervalSteps);
    if (!due) return;
    this.lastPlain = { time, step: this.done(state) };
    this.stream.write(`${this.describe(state)}\n`);
  }

  /** Prints `text` as a full line (above the live line on a terminal, which is then drawn again). */
  line(text: string): void {
    const safe = escapeUnsafe(text, { keepNewlines: true });
    if (!this.terminal) {
      this.stream.write(`${safe}\n`);
      return;
    }
    this.stream.write(`${rewriteLine("", this.stream.columns)}${safe}\n`);
    if (this.live !== "") this.stream.write(rewriteLine(this.live, this.stream.columns));
  }

  /** Ends the live line, left on screen with the latest state (drawn now if a redraw was held back). */
  finish(): void {
    if (!this.terminal) return;
    if (this.pending !== undefined) this.draw(this.describe(this.pending), this.now());
    if (this.live !== "") this.stream.write("\n");
    this.live = "";
  }

  private draw(text: string, time: number): void {
    this.pending = undefined;
    this.live = text;
    this.lastDrawn = time;
    this.stream.write(rewriteLine(text, this.stream.columns));
  }
}
