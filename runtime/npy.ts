// NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian C-order: float32 tensors (the
// layout cnnc computes in, so nothing is converted silently), and for datasets uint8 images and
// int32/int64 labels. Other dtypes are rejected with the one-line NumPy fix (`x.astype(np.float32)`),
// as are Fortran-order arrays.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { joinBytes } from "../src/bytes.js";
import { CnncUserError } from "../src/errors.js";
import { shapeSize } from "../src/ir/graph.js";
import { describeShape, makeTensor, type Tensor } from "../src/tensor.js";
import { parseNpyHeader } from "./npyHeader.js";
import { dataFileKind, readUserFile } from "./readUserFile.js";
import { shortText } from "../grammar/displayText.js";
import { writeFileAtomically } from "./writeUserFile.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const FLOAT32_DESCR = "<f4";

const DTYPE_NAMES: Record<string, string> = {
  f2: "float16",
  f4: "float32",
  f8: "float64",
  f16: "float128",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  b1: "bool",
  c8: "complex64",
  c16: "complex128",
};

function dtypeName(descr: string): string {
  const name = DTYPE_NAMES[descr.replace(/^[<>|=]/, "")] ?? "an unsupported dtype";
  return descr.startsWith(">") ? `big-endian ${name}` : name;
}

/** The element types a .npy file may hold for cnnc: float32 tensors, uint8 images, integer labels. */
export type NpyArray =
  | { dtype: "float32"; shape: number[]; data: Float32Array }
  | { dtype: "uint8"; shape: number[]; data: Uint8Array }
  | { dtype: "int32"; shape: number[]; data: Int32Array }
  | { dtype: "int64"; shape: number[]; data: BigInt64Array };

const NPY_DTYPES: Record<string, { dtype: NpyArray["dtype"]; bytes: number }> = {
  "<f4": { dtype: "float32", bytes: 4 },
  "|u1": { dtype: "uint8", bytes: 1 },
  "<u1": { dtype: "uint8", bytes: 1 },
  "<i4": { dtype: "int32", bytes: 4 },
  "<i8": { dtype: "int64", bytes: 8 },
};

/**
 * Reads a float32 C-order .npy file from a path or from its bytes. `file` names it in error messages
 * (defaults to the path, or `array.npy` for bytes).
 */
export function readNpy(source: Uint8Array | string, file?: string): Tensor {
  const array = readNpyArray(source, file, ["float32"]);
  if (array.dtype !== "float32") throw new Error(`readNpyArray returned ${array.dtype} where float32 was asked`);
  return makeTensor(array.shape, array.data);
}

/**
 * Reads a C-order .npy file holding one of the `accepted` element types (float32 tensors; uint8 images
 * and int32/int64 labels for datasets). Any other dtype is refused naming the accepted ones.
 */
export function readNpyArray(source: Uint8Array | string, file: string | undefined, accepted: readonly NpyArray["dtype"][]): NpyArray {
  if (typeof source !== "string") return decodeNpy(source, `\`${file ?? "array.npy"}\``, false, accepted);
  return decodeNpy(readUserFile(source, dataFileKind(".npy file")), `\`${file ?? source}\``, true, accepted);
}

function acceptedText(accepted: readonly NpyArray["dtype"][]): string {
  const descrs = accepted.map((dtype) => `${dtype} ('${Object.entries(NPY_DTYPES).find(([, d]) => d.dtype === dtype)?.[0] ?? "?"}')`);
  return descrs.join(" or ");
}

/**
 * The array in a .npy file's `bytes`; `name` is the quoted file name for messages. `owned`: the bytes
 * are cnnc's own (read from the file), so the array may be a view of them rather than a copy.
 */
function decodeNpy(bytes: Uint8Array, name: string, owned: boolean, accepted: readonly NpyArray["dtype"][]): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new CnncUserError(`${name} is not a .npy file (it does not start with "\\x93NUMPY")`, {
      hint: "save arrays with numpy.save('x.npy', x.astype(np.float32))",
    });
  }
  const major = bytes[6] ?? 0;
  const minor = bytes[7] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw new CnncUserError(`${name} uses .npy format version ${major}.${minor}; cnnc reads versions 1.0, 2.0 and 3.0`);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) {
    throw new CnncUserError(`${name} is truncated inside its header`);
  }
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new CnncUserError(
      `${name} is truncated: its header says ${headerLength} header bytes, but the file has only ${bytes.length} bytes`,
    );
  }
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lengthBytes, dataStart));
  const header = parseNpyHeader(headerText, name);

  const element = NPY_DTYPES[header.descr];
  if (element === undefined || !accepted.includes(element.dtype)) {
    const fix = accepted.includes("float32") ? "save with x.astype(np.float32)" : `save with x.astype(np.${accepted[0] ?? "float32"})`;
    throw new CnncUserError(
      `${name} holds ${dtypeName(header.descr)} ('${shortText(header.descr)}'); cnnc reads ${acceptedText(accepted)}: ${fix}`,
    );
  }
  if (header.fortranOrder) {
    throw new CnncUserError(`${name} is stored in Fortran (column-major) order; cnnc reads C order`, {
      hint: "save with np.ascontiguousarray(x)",
    });
  }
  const count = shapeSize(header.shape);
  const dataBytes = bytes.length - dataStart;
  const needed = count * element.bytes;
  if (!Number.isSafeInteger(needed) || dataBytes !== needed) {
    const problem = dataBytes < needed ? "is truncated" : "has trailing bytes";
    throw new CnncUserError(
      `${name} ${problem}: shape ${describeShape(header.shape)} needs ${needed} bytes of ${element.dtype} data, ` +
        `the file holds ${dataBytes}`,
    );
  }
  // Every platform Node runs on is little-endian, so the bytes are the values. A file cnnc read is
  // viewed in place when its data is aligned (numpy aligns it to 64 bytes), so a large input is held
  // once. Otherwise, and for a caller's bytes (which the array must not alias), it is copied into a
  // fresh aligned buffer (not slice(): on a Node Buffer that is a view into a shared pool).
  const offset = bytes.byteOffset + dataStart;
  const buffer = owned && offset % element.bytes === 0 ? bytes.buffer : new Uint8Array(bytes.subarray(dataStart)).buffer;
  const start = buffer === bytes.buffer ? offset : 0;
  const shape = header.shape;
  switch (element.dtype) {
    case "float32":
      return { dtype: "float32", shape, data: new Float32Array(buffer, start, count) };
    case "uint8":
      return { dtype: "uint8", shape, data: new Uint8Array(buffer, start, count) };
    case "int32":
      return { dtype: "int32", shape, data: new Int32Array(buffer, start, count) };
    case "int64":
      return { dtype: "int64", shape, data: new BigInt64Array(buffer, start, count) };
  }
}

function shapeTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/**
 * A tensor as .npy file parts: the header (version 1.0, or 2.0 when the header needs it) and a view of
 * the data, so a large tensor is written without a second copy.
 */
function npyParts(tensor: Tensor): Uint8Array[] {
  const dict = `{'descr': '${FLOAT32_DESCR}', 'fortran_order': False, 'shape': ${shapeTuple(tensor.shape)}, }`;
  // NumPy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const padTo = (prefixBytes: number): string =>
    dict.padEnd(Math.ceil((prefixBytes + dict.length + 1) / 64) * 64 - prefixBytes - 1, " ") + "\n";
  const major = padTo(10).length > 0xffff ? 2 : 1;
  const prefixBytes = major === 1 ? 10 : 12;
  const padded = padTo(prefixBytes);
  const header = new Uint8Array(prefixBytes + padded.length);
  const view = new DataView(header.buffer);
  header.set(MAGIC, 0);
  header[6] = major;
  header[7] = 0;
  if (major === 1) {
    view.setUint16(8, padded.length, true);
  } else {
    view.setUint32(8, padded.length, true);
  }
  header.set(new TextEncoder().encode(padded), prefixBytes);
  return [header, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)];
}

/** Encodes a tensor as a .npy file. */
export function writeNpy(tensor: Tensor): Uint8Array {
  return joinBytes(npyParts(tensor));
}

/** Writes a tensor as a .npy file, atomically (see writeFileAtomically). */
export function writeNpyFile(path: string, tensor: Tensor): void {
  writeFileAtomically(path, npyParts(tensor));
}

/**
 * Checks `got` against an expected shape whose entries are sizes or symbolic names (`"N"` matches any
 * size, consistently where a name repeats). Returns the sizes the names took. Throws e.g.
 * `input image expects [N, 1, 28, 28] (NCHW), got [28, 28]`.
 */
export function expectShape(
  got: readonly number[],
  expected: readonly (number | string)[],
  what: string,
  options: { layout?: string; location?: string } = {},
): Record<string, number> {
  const bindings: Record<string, number> = {};
  const matches =
    got.length === expected.length &&
    expected.every((want, axis) => {
      const size = got[axis] ?? -1;
      if (typeof want === "number") return size === want;
      const bound = bindings[want];
      if (bound !== undefined) return size === bound;
      bindings[want] = size;
      return size > 0;
    });
  if (matches) {
    return bindings;
  }
  const layout = options.layout === undefined ? "" : ` (${options.layout})`;
  const missingBatch = got.length + 1 === expected.length && expected.slice(1).every((want, axis) => want === got[axis]);
  throw new CnncUserError(`${what} expects [${expected.join(", ")}]${layout}, got ${describeShape(got)}`, {
    hint: missingBatch ? "add the batch dimension: x[np.newaxis] (or x.reshape(1, *x.shape))" : undefined,
    location: options.location,
  });
}
