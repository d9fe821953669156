// Weights as safetensors (https://huggingface.co/docs/safetensors), PyTorch state_dict names and
// layouts, float32 only. File layout: an 8-byte little-endian header length N, N bytes of JSON
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw data;
// offsets are relative to the start of the data.
import { closestMatch } from "../grammar/diagnostics.js";
import { CnncUserError } from "../src/errors.js";
import { shapeSize } from "../src/ir/graph.js";
import { describeShape, makeTensor, type Tensor, type WeightMap } from "../src/tensor.js";
import { dataFileKind, readUserFile } from "./readUserFile.js";
import { decodeSafetensorsHeader, METADATA_KEY } from "./safetensorsHeader.js";
import { joinBytes, writeFileAtomically } from "./writeUserFile.js";

/**
 * PyTorch saves an int64 step counter with every BatchNorm layer. Inference never reads it, so it is
 * skipped on load (whatever its dtype) and never reported as an unexpected tensor.
 */
function isTrainingCounter(name: string): boolean {
  return name === "num_batches_tracked" || name.endsWith(".num_batches_tracked");
}

/** Decodes a safetensors file's bytes into float32 tensors. `file` names it in error messages. */
export function readSafetensors(bytes: Uint8Array, file = "weights.safetensors"): WeightMap {
  const { entries, dataStart } = decodeSafetensorsHeader(bytes, file);
  const used = entries.filter((entry) => !isTrainingCounter(entry.name));

  const wrongType = used.filter((entry) => entry.dtype !== "F32");
  if (wrongType.length > 0) {
    throw new CnncUserError(
      `${file} holds tensors that are not float32: ${wrongType.map((entry) => `${entry.name} (${entry.dtype})`).join(", ")}; ` +
        `cnnc reads F32`,
      { hint: "convert before saving: save_file({k: v.float() for k, v in state_dict.items()}, 'weights.safetensors')" },
    );
  }

  const weights: WeightMap = new Map();
  for (const entry of used) {
    const count = shapeSize(entry.shape);
    // Copy into an aligned buffer: offsets need not be multiples of 4 within the file.
    const start = dataStart + entry.begin;
    const data = new Float32Array(new Uint8Array(bytes.subarray(start, start + count * 4)).buffer);
    weights.set(entry.name, makeTensor(entry.shape, data));
  }
  return weights;
}

export function readSafetensorsFile(path: string): WeightMap {
  return readSafetensors(readUserFile(path, dataFileKind("safetensors file")), path);
}

/**
 * Weights as safetensors file parts: the length and header, then a view of each tensor's data (so
 * large weights are written without a second copy). Tensors are in name order, laid out back to back
 * in that order, the header padded with spaces to a multiple of 8 bytes (so the data is 8-byte
 * aligned), and `__metadata__` carries `format: "pt"` as PyTorch's save_file writes it.
 */
function safetensorsParts(weights: WeightMap, metadata: Record<string, string>): Uint8Array[] {
  const names = [...weights.keys()].sort();
  const header: Record<string, unknown> = { [METADATA_KEY]: { format: "pt", ...metadata } };
  let offset = 0;
  for (const name of names) {
    const tensor = weights.get(name) as Tensor;
    const expectedCount = shapeSize(tensor.shape);
    if (expectedCount !== tensor.data.length) {
      throw new Error(`weight ${name}: shape ${describeShape(tensor.shape)} does not match its ${tensor.data.length} values`);
    }
    header[name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + headerLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerLength), true);
  prefix.set(json, 8);
  prefix.fill(0x20, 8 + json.length);
  const data = names.map((name) => {
    const tensor = (weights.get(name) as Tensor).data;
    return new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength);
  });
  return [prefix, ...data];
}

/** Encodes weights as a safetensors file. */
export function writeSafetensors(weights: WeightMap, metadata: Record<string, string> = {}): Uint8Array {
  return joinBytes(safetensorsParts(weights, metadata));
}

/** Writes weights as a safetensors file, atomically (see writeFileAtomically). */
export function writeSafetensorsFile(path: string, weights: WeightMap, metadata: Record<string, string> = {}): void {
  writeFileAtomically(path, safetensorsParts(weights, metadata));
}

export interface ExpectedWeight {
  name: string;
  shape: number[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((extent, axis) => extent === b[axis]);
}

/** Why an unexpected tensor might be there: a wrapper's name prefix, or a typo. */
function extraTensorNote(name: string, missing: readonly string[]): string {
  const suffixOf = missing.find((expected) => name.endsWith(`.${expected}`));
  if (suffixOf !== undefined) {
    return ` (the network calls it ${suffixOf}: strip the prefix \`${name.slice(0, name.length - suffixOf.length)}\`)`;
  }
  const close = closestMatch(name, missing);
  return close === undefined ? " (the network has no such parameter)" : ` (did you mean ${close}?)`;
}

/**
 * Checks loaded weights against what the network expects. Missing, mis-shaped and unexpected tensors
 * are all reported in ONE CnncUserError, each with the expected shape.
 */
export function checkWeights(expected: readonly ExpectedWeight[], weights: WeightMap, file: string): void {
  const problems: string[] = [];
  const missing: string[] = [];
  for (const { name, shape } of expected) {
    const tensor = weights.get(name);
    if (tensor === undefined) {
      problems.push(`missing ${name}, expected shape ${describeShape(shape)}`);
      missing.push(name);
    } else if (!sameShape(tensor.shape, shape)) {
      problems.push(`${name} has shape ${describeShape(tensor.shape)}, expected ${describeShape(shape)}`);
    }
  }
  const expectedNames = new Set(expected.map((weight) => weight.name));
  const extras = [...weights.keys()].filter((name) => !expectedNames.has(name) && !isTrainingCounter(name)).sort();
  for (const name of extras) {
    const tensor = weights.get(name) as Tensor;
    problems.push(`unexpected tensor ${name} ${describeShape(tensor.shape)}${extraTensorNote(name, missing)}`);
  }
  if (problems.length === 0) {
    return;
  }
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  throw new CnncUserError(`${file} does not match the network (${count}):\n  ${problems.join("\n  ")}`, {
    hint:
      `weights are matched by PyTorch state_dict name and shape (conv weight [out, in/groups, kH, kW], fc weight ` +
      `[out, in]); the network expects ${expected.length} tensors`,
  });
}
