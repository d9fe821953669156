// How large one array in this process may be, computed from known limits rather than found by trying
// to allocate: V8 caps a typed array's length (Node.js exposes the cap as buffer.constants.MAX_LENGTH,
// since a Buffer is a Uint8Array: 2^32 on Node 20), and no array can be larger than the machine's
// memory. Every host allocation whose size comes from the user (a network's shapes, --batch, a file)
// is checked here first, so a size past the limit is a CnncUserError that names the tensor instead of
// `RangeError: Invalid typed array length`.
import { constants } from "node:buffer";
import { totalmem } from "node:os";

import { CnncUserError } from "./errors.js";
import { formatBytes, formatInteger } from "./ir/format.js";

export type HostElementType = "float32" | "float64" | "byte";

const ELEMENT_BYTES: Record<HostElementType, number> = { float32: 4, float64: 8, byte: 1 };

export interface HostArrayLimit {
  /** The most elements one array of the type may hold. */
  elements: number;
  /** Why: which limit binds, for messages. */
  reason: string;
}

let memoryBytes: number | undefined;

/** The machine's memory, read once: the limits are checked per plan and per file, not per array. */
function machineMemory(): number {
  memoryBytes ??= totalmem();
  return memoryBytes;
}

/** The largest array of `type` this process can hold: V8's typed array length cap or the machine's memory. */
export function hostArrayLimit(type: HostElementType): HostArrayLimit {
  const memory = machineMemory();
  const byMemory = Math.floor(memory / ELEMENT_BYTES[type]);
  if (byMemory < constants.MAX_LENGTH) {
    return { elements: byMemory, reason: `this machine's memory (${formatBytes(memory)})` };
  }
  return { elements: constants.MAX_LENGTH, reason: `the longest typed array Node.js ${process.version} allows` };
}

function describeValues(elements: number, type: HostElementType): string {
  const noun = type === "byte" ? "bytes" : `${type} values`;
  const size = type === "byte" ? "" : ` (${formatBytes(elements * ELEMENT_BYTES[type])})`;
  return `${formatInteger(elements)} ${noun}${size}`;
}

function tooLarge(what: string, elements: number, type: HostElementType, hint: string): CnncUserError {
  const limit = hostArrayLimit(type);
  return new CnncUserError(
    `${what} needs ${describeValues(elements, type)}; one array in cnnc's process holds at most ` +
      `${describeValues(limit.elements, type)}, the limit of ${limit.reason}`,
    { hint },
  );
}

/** Whether `elements` values of `type` fit in one host array. */
export function fitsHostArray(elements: number, type: HostElementType): boolean {
  return Number.isSafeInteger(elements) && elements >= 0 && elements <= hostArrayLimit(type).elements;
}

/**
 * Throws a CnncUserError when `elements` values of `type` cannot be held in one host array. `what`
 * names the array (`weight fc1.weight [100000000, 192]`), `hint` says how to make it smaller.
 */
export function checkHostArray(what: string, elements: number, type: HostElementType, hint: string): void {
  if (!fitsHostArray(elements, type)) throw tooLarge(what, elements, type, hint);
}

/** The hint for a size that grows with the batch: the largest batch that fits, or that none does. */
export function smallerBatchHint(largestBatch: number, constraint: string): string {
  return largestBatch >= 1
    ? `use a smaller batch: at most ${formatInteger(largestBatch)} fits ${constraint}`
    : `even batch 1 does not fit ${constraint}: use a smaller input size`;
}

/**
 * Checks a host array of `batch` samples of `perSample` values each (`what` at batch N), with the
 * largest batch that would fit in the hint.
 */
export function checkHostBatch(what: string, perSample: number, batch: number, type: HostElementType): void {
  const elements = perSample * batch;
  if (fitsHostArray(elements, type)) return;
  const largest = Math.floor(hostArrayLimit(type).elements / Math.max(perSample, 1));
  throw tooLarge(`${what} at batch ${formatInteger(batch)}`, elements, type, smallerBatchHint(largest, "in one host array"));
}

/**
 * Throws a CnncUserError when arrays of `bytes` in all (each of which fits on its own) cannot be held
 * at once: more than the machine's memory.
 */
export function checkHostTotal(what: string, bytes: number, hint: string): void {
  const memory = machineMemory();
  if (Number.isSafeInteger(bytes) && bytes <= memory) return;
  throw new CnncUserError(`${what} need ${formatBytes(bytes)} in all, more than this machine's memory (${formatBytes(memory)})`, { hint });
}

/** Float32 values of a host array, after checking that they fit. */
export function allocateFloat32(elements: number, what: string, hint: string): Float32Array {
  checkHostArray(what, elements, "float32", hint);
  return new Float32Array(elements);
}
