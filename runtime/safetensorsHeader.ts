// The header of a safetensors file (https://huggingface.co/docs/safetensors), validated by the
// format's own rules, as the reference implementation (the `safetensors` crate's Metadata::validate)
// applies them: an 8-byte little-endian length N of at most 100,000,000; N bytes of UTF-8 JSON, an
// object starting with `{`; `__metadata__`, when present, a map of strings to strings; every tensor
// with a known dtype, a shape and data_offsets [begin, end] whose span is exactly shape product x dtype
// size; and the tensors, sorted by offsets, laid out back to back from byte 0 of the data to its last
// byte: no overlap (one tensor read from another's bytes), no gap, nothing after the last tensor.
import { CnncUserError } from "../src/errors.js";
import { formatInteger } from "../src/ir/format.js";
import { shapeSize } from "../src/ir/graph.js";
import { describeShape } from "../src/tensor.js";
import { shortText } from "../grammar/displayText.js";

export const METADATA_KEY = "__metadata__";

/** The format's cap on the header, against a corrupt length field (safetensors' MAX_HEADER_SIZE). */
const MAX_HEADER_BYTES = 100_000_000;

/** Bits per element of each dtype the format defines. */
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsLayout {
  /** Sorted by offsets. */
  entries: HeaderEntry[];
  /** Where the data section starts in the file. */
  dataStart: number;
  /** The header's `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const REWRITE_HINT = "write the file with safetensors' save_file (or cnnc)";
const CORRUPT_HINT = "the file is truncated or corrupt: write it again with safetensors' save_file (or cnnc)";

function parseEntry(name: string, value: unknown, file: string): HeaderEntry {
  const bad = (what: string): CnncUserError =>
    new CnncUserError(`\`${file}\` has a malformed safetensors header: tensor ${shortText(name)} ${what}`, { hint: REWRITE_HINT });
  if (!isRecord(value)) throw bad("is not an object");
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") throw bad("has no dtype");
  if (DTYPE_BITS[dtype] === undefined) throw bad(`has an unknown dtype \`${shortText(dtype)}\``);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad("has no valid shape");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad("has no valid data_offsets");
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`has data_offsets [${begin}, ${end}] that end before they begin`);
  const entry: HeaderEntry = { name, dtype, shape: shape as number[], begin, end };
  const bits = shapeSize(entry.shape) * DTYPE_BITS[dtype]!;
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0 || end - begin !== bits / 8) {
    const size = Number.isSafeInteger(bits) && bits % 8 === 0 ? `${formatInteger(bits / 8)} bytes` : "a size that is not a whole number of bytes";
    throw new CnncUserError(
      `\`${file}\`: tensor ${shortText(name)} has shape ${describeShape(entry.shape)} (${size} of ${dtype}) but data_offsets ` +
        `[${begin}, ${end}] span ${end - begin} bytes`,
      { hint: CORRUPT_HINT },
    );
  }
  return entry;
}

function checkMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value) || !Object.values(value).every((entry) => typeof entry === "string")) {
    throw new CnncUserError(`\`${file}\` has a malformed safetensors header: ${METADATA_KEY} is not a map of strings to strings`, {
      hint: REWRITE_HINT,
    });
  }
  return value as Record<string, string>;
}

/** Checks that the sorted entries tile the data section exactly. */
function checkLayout(entries: readonly HeaderEntry[], dataLength: number, file: string): void {
  const corrupt = (message: string): CnncUserError => new CnncUserError(`\`${file}\`: ${message}`, { hint: CORRUPT_HINT });
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    const expectedBegin = previous?.end ?? 0;
    const span = `data_offsets [${entry.begin}, ${entry.end}]`;
    if (entry.end > dataLength) {
      throw corrupt(`tensor ${shortText(entry.name)} has ${span} outside the ${dataLength} bytes of data in the file`);
    }
    if (previous !== undefined && entry.begin < expectedBegin) {
      throw corrupt(
        `tensor ${shortText(entry.name)} (${span}) overlaps tensor ${shortText(previous.name)} (data_offsets [${previous.begin}, ${previous.end}]): ` +
          `each tensor must have bytes of its own`,
      );
    }
    if (entry.begin > expectedBegin) {
      const gap = entry.begin - expectedBegin;
      throw corrupt(
        previous === undefined
          ? `the first tensor, ${shortText(entry.name)} (${span}), starts at ${entry.begin}, not 0: ${gap} bytes of data belong to no tensor`
          : `${gap} bytes between tensor ${shortText(previous.name)} (ending at ${previous.end}) and tensor ${shortText(entry.name)} (${span}) belong to no tensor`,
      );
    }
    previous = entry;
  }
  const covered = previous?.end ?? 0;
  if (covered !== dataLength) {
    const last = previous === undefined ? "the file has no tensors" : `the last tensor, ${shortText(previous.name)}, ends at ${covered}`;
    throw corrupt(`the data section has ${dataLength - covered} bytes after the tensors (${last}, the data is ${dataLength} bytes)`);
  }
}

/** Parses and validates the header of a safetensors file's `bytes`; `file` names it in messages. */
export function decodeSafetensorsHeader(bytes: Uint8Array, file: string): SafetensorsLayout {
  const truncated = (detail: string): CnncUserError =>
    new CnncUserError(`\`${file}\` is truncated or not a safetensors file: ${detail}`, {
      hint: "write weights with safetensors' save_file (or cnnc), and check that the copy is complete",
    });
  if (bytes.length < 8) {
    throw truncated(`it has only ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw truncated(
      `its header length field says ${headerLength} bytes; the format allows at most ${formatInteger(MAX_HEADER_BYTES)}`,
    );
  }
  if (headerLength > BigInt(bytes.length - 8)) {
    throw truncated(`its header length field says ${headerLength} bytes, but only ${bytes.length - 8} follow`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new CnncUserError(`\`${file}\` has a malformed safetensors header: ${(error as Error).message}`, {
      hint: "the header must be a JSON object; write the file with safetensors' save_file (or cnnc)",
      cause: error,
    });
  }
  if (!isRecord(header)) {
    throw new CnncUserError(`\`${file}\` has a malformed safetensors header: it is not a JSON object`);
  }
  if (bytes[8] !== "{".charCodeAt(0)) {
    throw new CnncUserError(`\`${file}\` has a malformed safetensors header: it does not start with \`{\``, { hint: REWRITE_HINT });
  }
  const metadata = checkMetadata(header[METADATA_KEY], file);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => parseEntry(name, value, file))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkLayout(entries, bytes.length - dataStart, file);
  return { entries, dataStart, metadata };
}
