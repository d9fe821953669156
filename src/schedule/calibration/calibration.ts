// The cost model's coefficients for one adapter, measured by `npm run calibrate` (bench/calibrate.ts)
// and written to a JSON file per adapter in this directory, named by a slug of the adapter's identity.
// An adapter without a file gets the nearest one (the most hardware identity fields in common;
// llvmpipe's on a tie), and `cnnc explain` says that the estimates are not calibrated for it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CostTerms } from "../costModel.js";
import type { Target } from "../types.js";

/**
 * The linear model's coefficients (costModel.ts's secondsOf): seconds = launches * launchSeconds
 * + (paddedFlops * secondsPerFlop[kind] + rowOperandBytes * secondsPerRowOperandByte[kind]
 *    + columnOperandBytes * (secondsPerColumnOperandByte[kind] + secondsPerSpilledByte[kind] when its
 *       storage is larger than the calibration's cacheBytes)) / min(1, occupancy)
 * + invocations * secondsPerInvocation[kind] + outputBytes * secondsPerOutputByte[kind]
 * + otherBytes * secondsPerByte + barrierSteps * secondsPerBarrier.
 * The per-kind tables are keyed `kind/op` (costModel.ts's rateKey) or by kind alone.
 */
export interface CostCoefficients {
  launchSeconds: number;
  /** Bytes besides the operand reads (results, scratch, partials). */
  secondsPerByte: number;
  /** One workgroup barrier step of a workgroup-memory schedule (high on llvmpipe, where a barrier joins threads). */
  secondsPerBarrier: number;
  /** Per schedule kind: the inverse of its arithmetic rate. */
  secondsPerFlop: Record<string, number>;
  /** Per schedule kind: one byte its register tiles read of the M x R operand (weights), addressing included. */
  secondsPerRowOperandByte: Record<string, number>;
  /** Per schedule kind: one byte its register tiles read of the R x N operand (inputs, columns), addressing included. */
  secondsPerColumnOperandByte: Record<string, number>;
  /** Per schedule kind: the extra of a column-operand byte read again once its storage outgrew the cache. */
  secondsPerSpilledByte: Record<string, number>;
  /** Per schedule kind: one invocation's fixed work (its indices, its epilogue and stores). */
  secondsPerInvocation: Record<string, number>;
  /** Per schedule kind: one byte of the result stored (each kind stores its tiles in its own pattern). */
  secondsPerOutputByte: Record<string, number>;
}

/** The coefficients that hold one number for every schedule kind. */
export type SharedRate = "launchSeconds" | "secondsPerByte" | "secondsPerBarrier";
/** The coefficients that hold a table of rates by kind (costModel.ts's rateKey). */
export type PerKindRate = Exclude<keyof CostCoefficients, SharedRate>;

/**
 * Every coefficient with the term of CostTerms it multiplies, in the order secondsOf adds them: the
 * one definition of the model's sum, read by secondsOf, the fit (fit.ts) and the file check below.
 */
export const COST_RATES: readonly ({ name: SharedRate; perKind: false; term: (terms: CostTerms) => number } | { name: PerKindRate; perKind: true; term: (terms: CostTerms) => number })[] = [
  { name: "launchSeconds", perKind: false, term: (terms) => terms.launches },
  { name: "secondsPerFlop", perKind: true, term: (terms) => terms.computeFlops },
  { name: "secondsPerRowOperandByte", perKind: true, term: (terms) => terms.rowOperandBytes },
  { name: "secondsPerColumnOperandByte", perKind: true, term: (terms) => terms.columnOperandBytes },
  { name: "secondsPerSpilledByte", perKind: true, term: (terms) => terms.spilledColumnOperandBytes },
  { name: "secondsPerInvocation", perKind: true, term: (terms) => terms.invocations },
  { name: "secondsPerOutputByte", perKind: true, term: (terms) => terms.outputBytes },
  { name: "secondsPerByte", perKind: false, term: (terms) => terms.otherBytes },
  { name: "secondsPerBarrier", perKind: false, term: (terms) => terms.barrierSteps },
];

/** How well the fit matches the measurements, for people reading the file. */
export interface CalibrationFit {
  /** sqrt(mean(((predicted - measured) / measured)^2)) over every measured schedule. */
  rmsRelativeError: number;
  /** Workloads whose model pick measured within 10% of the fastest candidate, over all workloads. */
  pickWithin10Percent: number;
  /**
   * Among the kinds at their default knobs (what a build chooses from): workloads whose pick measured
   * within 10% of the fastest default, over the `kindPickWorkloads` workloads with several legal kinds.
   */
  kindPickWithin10Percent: number;
  kindPickWorkloads: number;
  workloads: {
    workload: string;
    /** Per candidate: its scheduleText, measured and predicted milliseconds. */
    candidates: { schedule: string; measuredMs: number; predictedMs: number }[];
    modelPick: string;
    fastest: string;
  }[];
}

export interface Calibration {
  /** The Target.adapter it was measured on. */
  adapter: string;
  /** The adapter for people (Target.description). */
  description: string;
  machine: string;
  date: string;
  command: string;
  /** Invocations the adapter runs at once (llvmpipe: its threads x SIMD lanes); fewer leave it idle. */
  concurrentInvocations: number;
  /** The cache capacity the spilled-bytes term assumes, chosen by the calibration among a few sizes. */
  cacheBytes: number;
  coefficients: CostCoefficients;
  /** Coefficients no measured schedule exercised (left 0): a kind or knob the calibration did not meet. */
  unmeasured?: string[];
  fit?: CalibrationFit;
}

export interface LoadedCalibration {
  calibration: Calibration;
  /** Whether the calibration was measured on the target's adapter. */
  exact: boolean;
  /** For `cnnc explain`: `calibrated for <adapter>` or `not calibrated for this adapter: using ...`. */
  note: string;
}

/** Whether a calibration is llvmpipe's, the one used when no hardware field of the adapter matches any calibration's. */
function isFallback(calibration: Calibration): boolean {
  return /llvmpipe|lavapipe/i.test(calibration.adapter);
}

const MAX_SLUG_LENGTH = 100;

/** A file name for an adapter identity: lowercase letters, digits and dashes. */
export function adapterSlug(adapter: string): string {
  const slug = adapter
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, "");
  return slug === "" ? "unnamed-adapter" : slug;
}

const hasJson = (directory: string): boolean => existsSync(directory) && readdirSync(directory).some((name) => name.endsWith(".json"));

/** The directory of the calibration files: beside this module, or in the sources when running from dist/ (tsc copies no JSON). */
export function calibrationDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (hasJson(here)) return here;
  const sources = join(here, "..", "..", "..", "..", "src", "schedule", "calibration");
  return hasJson(sources) ? sources : here;
}

/** The calibration for `target`: its adapter's file, else the nearest one (see the file's comment). */
export function loadCalibration(target: Target, directory = calibrationDirectory()): LoadedCalibration {
  const files = readdirSync(directory).filter((name) => name.endsWith(".json")).sort();
  if (files.length === 0) throw new Error(`internal: no calibration file in ${directory}`);
  const own = `${adapterSlug(target.adapter)}.json`;
  if (files.includes(own)) {
    const calibration = readCalibration(join(directory, own));
    if (calibration.adapter === target.adapter) return { calibration, exact: true, note: `calibrated for ${target.description}` };
  }
  const candidates = files.map((name) => ({ name, calibration: readCalibration(join(directory, name)) }));
  const score = (calibration: Calibration): number => sharedFields(calibration.adapter, target.adapter);
  const nearest = candidates.reduce((best, candidate) => {
    const difference = score(candidate.calibration) - score(best.calibration);
    return difference > 0 || (difference === 0 && isFallback(candidate.calibration) && !isFallback(best.calibration)) ? candidate : best;
  });
  return {
    calibration: nearest.calibration,
    exact: false,
    note: `not calibrated for this adapter: estimates use ${nearest.calibration.description}'s calibration (npm run calibrate measures this one)`,
  };
}

const loaded = new Map<string, LoadedCalibration>();

/** loadCalibration of the shipped files, read once per adapter per process. */
export function cachedCalibration(target: Target): LoadedCalibration {
  let calibration = loaded.get(target.adapter);
  if (calibration === undefined) {
    calibration = loadCalibration(target);
    loaded.set(target.adapter, calibration);
  }
  return calibration;
}

/**
 * Non-empty hardware fields of the identities (vendor, architecture, device, description: the first
 * four `|`-separated fields) equal in both; the backend and feature level say little about speed.
 */
function sharedFields(a: string, b: string): number {
  const left = a.split("|").slice(0, 4);
  const right = b.split("|").slice(0, 4);
  return left.filter((field, index) => field !== "" && field === right[index]).length;
}

/** Reads and checks one calibration file; a malformed one is an internal error (the files ship with cnnc). */
export function readCalibration(path: string): Calibration {
  const value: unknown = JSON.parse(readFileSync(path, "utf8"));
  const problem = calibrationProblem(value);
  if (problem !== undefined) throw new Error(`internal: calibration file ${path} is malformed: ${problem}`);
  return value as Calibration;
}

function calibrationProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not an object";
  const record = value as Record<string, unknown>;
  for (const field of ["adapter", "description", "machine", "date", "command"]) {
    if (typeof record[field] !== "string") return `${field} is not a string`;
  }
  if (!isNonNegative(record["concurrentInvocations"]) || record["concurrentInvocations"] === 0) return "concurrentInvocations is not a positive number";
  if (!isNonNegative(record["cacheBytes"])) return "cacheBytes is not a non-negative number";
  const coefficients = record["coefficients"];
  if (typeof coefficients !== "object" || coefficients === null) return "coefficients is not an object";
  const fields = coefficients as Record<string, unknown>;
  for (const { name } of COST_RATES.filter((rate) => !rate.perKind)) {
    if (!isNonNegative(fields[name])) return `coefficients.${name} is not a non-negative number`;
  }
  for (const { name: table } of COST_RATES.filter((rate) => rate.perKind)) {
    const rates = fields[table];
    if (typeof rates !== "object" || rates === null) return `coefficients.${table} is not an object`;
    for (const [kind, rate] of Object.entries(rates)) if (!isNonNegative(rate)) return `coefficients.${table}.${kind} is not a non-negative number`;
  }
  return undefined;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}
