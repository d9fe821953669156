// The tuning cache: the measured winner of every workload tuned on every adapter, in one JSON file
// under the user's cache directory, so that a second `cnnc build --tune` measures nothing.
//
// Location: `--tune-cache PATH`, else $CNNC_TUNE_CACHE, else $XDG_CACHE_HOME/cnnc/tune-cache.json, else
// ~/.cache/cnnc/tune-cache.json. Content (version 1):
//
//   { "format": "cnnc-tune-cache", "version": 1,
//     "entries": { "<target.adapter>": { "<workloadKey>": { "schedule": {...}, "medianMs": 0.8,
//                  "candidates": [{ "scheduleText": "...", "medianMs": 0.8 }, ...],
//                  "tunedAt": "2026-11-30T03:00:00.000Z", "cnncVersion": "0.1.0" } } } }
//
// A missing file is an empty cache. A file that cannot be read or is not a cache of this version is
// ignored with a warning and rewritten by the next save; entries of other adapters are kept in the
// file but never returned by `lookup` for this one. A save re-reads the file and merges: what this
// process tuned replaces the same (adapter, workload) entries, everything else stays. The file is
// replaced atomically (temporary file + rename), so a reader never sees half a file; two tuners
// saving at once do not corrupt it, but the last rename wins: the other's new entries are lost from
// the file (they were used for that build, and the next --tune measures them again).
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { mkdirSync, rmdirSync, statSync } from "node:fs";
import { writeFileAtomically, type WriteFileSystem } from "../../../runtime/writeUserFile.js";
import type { Schedule } from "../../ir/graph.js";
import { formatBytes } from "../../ir/format.js";
import { CnncUserError } from "../../errors.js";
import { describeFsError, readRegularFile } from "../../regularFiles.js";

export const TUNE_CACHE_FORMAT = "cnnc-tune-cache";
export const TUNE_CACHE_VERSION = 1;
/** A cache holds a few hundred bytes per tuned workload; past this it is not one of ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export interface TunedCandidate {
  /** The schedule as `cnnc explain` writes it (scheduleText). */
  scheduleText: string;
  /** The median of the finals for a finalist, else of the first round (tuner.ts). */
  medianMs: number;
  /** Timed again in the finals: within the tuner's margin of the fastest in the first round. */
  finalist?: boolean;
}

export interface TuneCacheEntry {
  /** The fastest candidate. */
  schedule: Schedule;
  medianMs: number;
  /** Every candidate measured, in the order they were tried. */
  candidates: TunedCandidate[];
  /** ISO 8601 time of the measurement. */
  tunedAt: string;
  /** The cnnc version that measured it. */
  cnncVersion: string;
}

type Entries = Map<string, Map<string, TuneCacheEntry>>;

/** Where the cache lives: the option's path, else the environment's, else the user's cache directory. */
export function tuneCachePath(option: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env, home: string = homedir()): string {
  if (option !== undefined && option !== "") return option;
  const fromEnv = env.CNNC_TUNE_CACHE;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  // The XDG spec: a relative $XDG_CACHE_HOME is invalid and to be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const cacheHome = xdg !== undefined && xdg.startsWith("/") ? xdg : join(home, ".cache");
  return join(cacheHome, "cnnc", "tune-cache.json");
}

export interface TuneCacheOptions {
  /** Called with each warning (a damaged file), one line without the `warning: ` prefix. */
  warn(message: string): void;
  cnncVersion: string;
  /** The time entries are stamped with (tests fix it). */
  now?: () => Date;
  /** The file system a save writes through (tests inject a full disk). */
  fileSystem?: WriteFileSystem;
}

export class TuneCache {
  private readonly entries: Entries;
  /** (adapter, key) pairs recorded by this process: what a save writes over the file's current content. */
  private readonly recorded: Entries = new Map();

  private constructor(
    readonly path: string,
    entries: Entries,
    private readonly options: TuneCacheOptions,
  ) {
    this.entries = entries;
  }

  /** The cache at `path`; a missing file is empty, a damaged one is empty with a warning. */
  static load(path: string, options: TuneCacheOptions): TuneCache {
    const read = readCacheFile(path);
    if (read.problem !== undefined) options.warn(`${read.problem}; it is ignored and will be rewritten`);
    return new TuneCache(path, read.entries, options);
  }

  /** The tuned entry of `workloadKey` on `adapter`, if there is one. */
  lookup(adapter: string, workloadKey: string): TuneCacheEntry | undefined {
    return this.entries.get(adapter)?.get(workloadKey);
  }

  /** Stores a measurement (stamped with the time and cnnc's version), for `lookup` now and the file at the next save. */
  record(adapter: string, workloadKey: string, measured: Pick<TuneCacheEntry, "schedule" | "medianMs" | "candidates">): TuneCacheEntry {
    const entry: TuneCacheEntry = { ...measured, tunedAt: (this.options.now?.() ?? new Date()).toISOString(), cnncVersion: this.options.cnncVersion };
    setEntry(this.entries, adapter, workloadKey, entry);
    setEntry(this.recorded, adapter, workloadKey, entry);
    return entry;
  }

  /** The number of (adapter, workload) entries recorded since loading. */
  get recordedCount(): number {
    let count = 0;
    for (const byKey of this.recorded.values()) count += byKey.size;
    return count;
  }

  /**
   * Writes the cache: the file's current entries (re-read, so another process's saves since loading
   * are kept; a damaged file contributes what was loaded) with this process's recorded ones over them.
   * Creates the directory. An empty directory where the file belongs is removed first (a damaged
   * cache); failures are CnncUserErrors from the atomic write, naming the path.
   */
  save(): void {
    const current = readCacheFile(this.path);
    const merged = current.problem === undefined ? current.entries : this.entries;
    for (const [adapter, byKey] of this.recorded) for (const [key, entry] of byKey) setEntry(merged, adapter, key, entry);
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch (error) {
      throw new CnncUserError(`cannot create the directory of the tuning cache \`${this.path}\`: ${describeFsError(error)}`, {
        hint: "keep the cache elsewhere with --tune-cache PATH or CNNC_TUNE_CACHE",
        cause: error,
      });
    }
    removeEmptyDirectory(this.path);
    const json = `${JSON.stringify(toJson(merged), null, 1)}\n`;
    writeFileAtomically(this.path, [new TextEncoder().encode(json)], this.options.fileSystem);
  }
}

function setEntry(entries: Entries, adapter: string, key: string, entry: TuneCacheEntry): void {
  let byKey = entries.get(adapter);
  if (byKey === undefined) entries.set(adapter, (byKey = new Map()));
  byKey.set(key, entry);
}

function removeEmptyDirectory(path: string): void {
  try {
    if (!statSync(path).isDirectory()) return;
  } catch {
    return; // nothing there
  }
  try {
    rmdirSync(path); // only ever removes an empty directory
  } catch (error) {
    throw new CnncUserError(`cannot write the tuning cache \`${path}\`: it is a directory (${describeFsError(error)})`, {
      hint: "remove that directory, or keep the cache elsewhere with --tune-cache PATH or CNNC_TUNE_CACHE",
      cause: error,
    });
  }
}

function toJson(entries: Entries): unknown {
  const json: Record<string, Record<string, TuneCacheEntry>> = {};
  for (const [adapter, byKey] of entries) json[adapter] = Object.fromEntries(byKey);
  return { format: TUNE_CACHE_FORMAT, version: TUNE_CACHE_VERSION, entries: json };
}

/** The file's entries, or an empty cache and what is wrong with the file (undefined for a missing file). */
function readCacheFile(path: string): { entries: Entries; problem?: string } {
  const read = readRegularFile(path, {
    noun: "tuning cache",
    maxBytes: MAX_CACHE_BYTES,
    tooLargeHint: `a tuning cache is far smaller than ${formatBytes(MAX_CACHE_BYTES)}`,
  });
  if ("problem" in read) {
    if (read.problem.code === "missing") return { entries: new Map() };
    return { entries: new Map(), problem: `tuning cache: ${read.problem.message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(read.bytes));
  } catch (error) {
    return { entries: new Map(), problem: `tuning cache \`${path}\` is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = parseCache(json);
  return parsed.problem === undefined ? parsed : { entries: parsed.entries, problem: `tuning cache \`${path}\` ${parsed.problem}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseCache(json: unknown): { entries: Entries; problem?: string } {
  if (!isRecord(json) || json.format !== TUNE_CACHE_FORMAT) return { entries: new Map(), problem: `is not a cnnc tuning cache (no "format": "${TUNE_CACHE_FORMAT}")` };
  if (json.version !== TUNE_CACHE_VERSION) {
    return { entries: new Map(), problem: `has version ${JSON.stringify(json.version)}, this cnnc reads version ${TUNE_CACHE_VERSION}` };
  }
  if (!isRecord(json.entries)) return { entries: new Map(), problem: "has no \"entries\" object" };
  const entries: Entries = new Map();
  for (const [adapter, byKey] of Object.entries(json.entries)) {
    if (!isRecord(byKey)) return { entries: new Map(), problem: `has a malformed entry list for adapter ${JSON.stringify(adapter)}` };
    for (const [key, entry] of Object.entries(byKey)) {
      if (!isEntry(entry)) return { entries: new Map(), problem: `has a malformed entry for adapter ${JSON.stringify(adapter)}` };
      setEntry(entries, adapter, key, entry);
    }
  }
  return { entries };
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isEntry(value: unknown): value is TuneCacheEntry {
  if (!isRecord(value) || !isRecord(value.schedule) || typeof value.schedule.kind !== "string") return false;
  const knobsOk = Object.values(value.schedule).every((knob) => ["number", "string", "boolean"].includes(typeof knob));
  const candidatesOk =
    Array.isArray(value.candidates) &&
    value.candidates.every((candidate) => isRecord(candidate) && typeof candidate.scheduleText === "string" && isTime(candidate.medianMs) && (candidate.finalist === undefined || candidate.finalist === true));
  return knobsOk && candidatesOk && isTime(value.medianMs) && typeof value.tunedAt === "string" && typeof value.cnncVersion === "string";
}
