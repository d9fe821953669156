// NumPy .npy files (format versions 1.0, 2.0 and 3.0), float32 little-endian C-order only: the
// layout cnnc computes in, so nothing is converted silently. Other dtypes are rejected with the
// one-line NumPy fix (`x.astype(np.float32)`), as are Fortran-order arrays.
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

/**
 * Reads a float32 C-order .npy file from a path or from its bytes. `file` names it in error messages
 * (defaults to the path, or `array.npy` for bytes).
 */
export function readNpy(source: Uint8Array | string, file?: string): Tensor {
  if (typeof source !== "string") return decodeNpy(source, `\`${file ?? "array.npy"}\``, false);
  return decodeNpy(readUserFile(source, dataFileKind(".npy file")), `\`${file ?? source}\``, true);
}

/**
 * The tensor in a .npy file's `bytes`; `name` is the quoted file name for messages. `owned`: the bytes
 * are cnnc's own (read from the file), so the tensor may be a view of them rather than a copy.
 */
function decodeNpy(bytes: Uint8Array, name: string, owned: boolean): Tensor {
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

  if (header.descr !== FLOAT32_DESCR) {
    throw new CnncUserError(
      `${name} holds ${dtypeName(header.descr)} ('${shortText(header.descr)}'); cnnc reads float32 ('${FLOAT32_DESCR}'): ` +
        `save with x.astype(np.float32)`,
    );
  }
  if (header.fortranOrder) {
    throw new CnncUserError(`${name} is stored in Fortran (column-major) order; cnnc reads C order`, {
      hint: "save with np.ascontiguousarray(x)",
    });
  }
  const count = shapeSize(header.shape);
  const dataBytes = bytes.length - dataStart;
  if (!Number.isSafeInteger(count * 4) || dataBytes !== count * 4) {
    const problem = dataBytes < count * 4 ? "is truncated" : "has trailing bytes";
    throw new CnncUserError(
      `${name} ${problem}: shape ${describeShape(header.shape)} needs ${count * 4} bytes of float32 data, ` +
        `the file holds ${dataBytes}`,
    );
  }
  // Every platform Node runs on is little-endian, so the bytes are the floats. A file cnnc read is
  // viewed in place when its data is 4-byte aligned (numpy aligns it to 64 bytes), so a large input is
  // held once. Otherwise, and for a caller's bytes (which the tensor must not alias), it is copied into
  // a fresh aligned buffer (not slice(): on a Node Buffer that is a view into a shared pool).
  const offset = bytes.byteOffset + dataStart;
  const data =
    owned && offset % 4 === 0
      ? new Float32Array(bytes.buffer, offset, count)
      : new Float32Array(new Uint8Array(bytes.subarray(dataStart)).buffer);
  return makeTensor(header.shape, data);
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
