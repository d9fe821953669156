// metrics.jsonl: one JSON object per line, appended as `cnnc train` runs (per-step records between
// evaluations, one record per epoch end with the test results). JSON has no NaN or Infinity, and a
// diverging run is exactly when they appear, so a non-finite value is written as null and its key is
// listed in `"nonfinite": ["train_loss", ...]` on the same line; reading the line back gives NaN for
// each listed key (which non-finite value it was, NaN, +Inf or -Inf, is not kept). A run killed while
// writing leaves a last line without its newline: readers drop that torn line, and a resumed run
// rewrites the file up to the step it resumes from (truncateMetrics) before appending again.
import { appendFileSync, existsSync, readFileSync } from "node:fs";

import { writeFileAtomically } from "../../../runtime/writeUserFile.js";
import { CnncUserError } from "../../errors.js";

export interface MetricsRecord {
  /** The current epoch, 1-based. */
  epoch: number;
  /** Optimizer steps done so far. */
  step: number;
  train_loss: number | null;
  train_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  images_per_s: number | null;
  lr: number;
}

/** The record's keys in the order they are written. */
export const METRICS_KEYS = ["epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc", "images_per_s", "lr"] as const;
type MetricsKey = (typeof METRICS_KEYS)[number];
const OPTIONAL_KEYS: ReadonlySet<MetricsKey> = new Set(["train_loss", "train_acc", "test_loss", "test_acc", "images_per_s"]);

/** The JSON line of `record` (with its newline): non-finite numbers as null plus the `nonfinite` list. */
export function metricsLine(record: MetricsRecord): string {
  const line: Record<string, number | null | string[]> = {};
  const nonFinite: string[] = [];
  for (const key of METRICS_KEYS) {
    const value = record[key];
    if (value !== null && !Number.isFinite(value)) nonFinite.push(key);
    line[key] = value === null || !Number.isFinite(value) ? null : value;
  }
  if (nonFinite.length > 0) line.nonfinite = nonFinite;
  return `${JSON.stringify(line)}\n`;
}

/** Appends one record to the metrics file at `path` (created when missing). */
export function appendMetrics(path: string, record: MetricsRecord): void {
  try {
    appendFileSync(path, metricsLine(record));
  } catch (error) {
    throw new CnncUserError(`cannot append to the metrics file \`${path}\`: ${(error as Error).message}`, {
      hint: "check that the run directory exists and is writable, and that the disk is not full",
      cause: error,
    });
  }
}

function damaged(path: string, lineNumber: number, problem: string): CnncUserError {
  return new CnncUserError(`the metrics file \`${path}\` is damaged: line ${lineNumber} ${problem}`, {
    hint: "each line must be one record `cnnc train` wrote; remove the damaged lines or start a new run (--out with a fresh directory)",
  });
}

/** One line's record, checked: every key present with the right type, `nonfinite` naming record keys. */
function parseRecord(text: string, path: string, lineNumber: number): MetricsRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw damaged(path, lineNumber, "is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw damaged(path, lineNumber, "is not a JSON object");
  const fields = parsed as Record<string, unknown>;
  const nonFinite = fields.nonfinite ?? [];
  if (!Array.isArray(nonFinite) || !nonFinite.every((key) => (METRICS_KEYS as readonly unknown[]).includes(key) && fields[key as string] === null)) {
    throw damaged(path, lineNumber, "has a `nonfinite` list that does not name null record keys");
  }
  const values = new Map<MetricsKey, number | null>();
  for (const key of METRICS_KEYS) {
    const value = fields[key];
    if (nonFinite.includes(key)) values.set(key, Number.NaN);
    else if (typeof value === "number" || (value === null && OPTIONAL_KEYS.has(key))) values.set(key, value);
    else throw damaged(path, lineNumber, `lacks a number for \`${key}\``);
  }
  const epoch = values.get("epoch") ?? Number.NaN;
  const step = values.get("step") ?? Number.NaN;
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw damaged(path, lineNumber, "has an epoch that is not a whole number from 1");
  if (!Number.isSafeInteger(step) || step < 0) throw damaged(path, lineNumber, "has a step that is not a whole number from 0");
  const get = (key: MetricsKey) => values.get(key) ?? null;
  return {
    epoch,
    step,
    train_loss: get("train_loss"),
    train_acc: get("train_acc"),
    test_loss: get("test_loss"),
    test_acc: get("test_acc"),
    images_per_s: get("images_per_s"),
    lr: values.get("lr") ?? Number.NaN,
  };
}

/**
 * The records of the metrics file at `path`, in file order; none when the file does not exist. A last
 * line without its newline (a run killed while writing) is dropped; any other bad line is an error.
 */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CnncUserError(`cannot read the metrics file \`${path}\`: ${(error as Error).message}`, { cause: error });
  }
  const lines = text.split("\n");
  lines.pop(); // after the last newline: empty, or the torn line of a killed run
  return lines.map((line, index) => parseRecord(line, path, index + 1));
}

/**
 * Rewrites the metrics file at `path` (atomically) to the records up to `upToStep` (a resumed run's
 * checkpoint step), dropping a torn last line, and returns them. A missing file stays missing.
 */
export function truncateMetrics(path: string, upToStep: number): MetricsRecord[] {
  if (!existsSync(path)) return [];
  const kept = readMetrics(path).filter((record) => record.step <= upToStep);
  writeFileAtomically(path, [new TextEncoder().encode(kept.map(metricsLine).join(""))]);
  return kept;
}
