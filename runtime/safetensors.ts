// Weights as safetensors (https://huggingface.co/docs/safetensors), PyTorch state_dict names and
// layouts, float32 only. File layout: an 8-byte little-endian header length N, N bytes of JSON
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw data;
// offsets are relative to the start of the data.
import { joinBytes } from "../src/bytes.js";
import { CnncUserError } from "../src/errors.js";
import { shapeSize } from "../src/ir/graph.js";
import { describeShape, makeTensor, type Tensor, type WeightMap } from "../src/tensor.js";
import { dataFileKind, readUserFile } from "./readUserFile.js";
import { decodeSafetensorsHeader, METADATA_KEY } from "./safetensorsHeader.js";
import { shortText } from "../grammar/displayText.js";
import { isTrainingCounter } from "./weightMismatch.js";
import { writeFileAtomically, type WriteFileSystem } from "./writeUserFile.js";

/** Decodes a safetensors file's bytes into float32 tensors. `file` names it in error messages. */
export function readSafetensors(bytes: Uint8Array, file = "weights.safetensors"): WeightMap {
  return decodeSafetensors(bytes, file, false);
}

/**
 * The float32 tensors of a safetensors file's `bytes`. `owned`: the bytes are cnnc's own (read from the
 * file), so a tensor may be a view of them rather than a copy.
 */
function decodeSafetensors(bytes: Uint8Array, file: string, owned: boolean): WeightMap {
  const { entries, dataStart } = decodeSafetensorsHeader(bytes, file);
  const used = entries.filter((entry) => !isTrainingCounter(entry.name));

  const wrongType = used.filter((entry) => entry.dtype !== "F32");
  if (wrongType.length > 0) {
    throw new CnncUserError(
      `\`${file}\` holds tensors that are not float32: ${wrongType.map((entry) => `${shortText(entry.name)} (${entry.dtype})`).join(", ")}; ` +
        `cnnc reads F32`,
      { hint: "convert before saving: save_file({k: v.float() for k, v in state_dict.items()}, 'weights.safetensors')" },
    );
  }

  const weights: WeightMap = new Map();
  for (const entry of used) {
    const count = shapeSize(entry.shape);
    // A file cnnc read is viewed in place where a tensor is 4-byte aligned (save_file pads the header
    // to 8 bytes, so every float32 tensor is), so the weights are held once. Otherwise, and for a
    // caller's bytes (which the weights must not alias), it is copied into an aligned buffer.
    const start = bytes.byteOffset + dataStart + entry.begin;
    const data =
      owned && start % 4 === 0
        ? new Float32Array(bytes.buffer, start, count)
        : new Float32Array(new Uint8Array(bytes.subarray(dataStart + entry.begin, dataStart + entry.begin + count * 4)).buffer);
    weights.set(entry.name, makeTensor(entry.shape, data));
  }
  return weights;
}

export function readSafetensorsFile(path: string): WeightMap {
  return decodeSafetensors(readUserFile(path, dataFileKind("safetensors file")), path, true);
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

/** Writes weights as a safetensors file, atomically (see writeFileAtomically; `fileSystem` for tests). */
export function writeSafetensorsFile(path: string, weights: WeightMap, metadata: Record<string, string> = {}, fileSystem?: WriteFileSystem): void {
  writeFileAtomically(path, safetensorsParts(weights, metadata), fileSystem);
}
