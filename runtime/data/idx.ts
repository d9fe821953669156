// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
// header (two zero bytes, a data-type byte, a dimension count, then one uint32 size per dimension)
// followed by the values in C order. cnnc reads the uint8 ones (images 0x00000803 [N, rows, cols],
// labels 0x00000801 [N]), raw or gzip-compressed as the datasets are distributed.
import { gunzipSync } from "node:zlib";

import { CnncUserError } from "../../src/errors.js";
import { dataFileKind, readUserFile } from "../readUserFile.js";

/** The uint8 values of an IDX file and their dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** What an IDX file must hold: images have 3 dimensions, labels 1. */
export type IdxContent = "images" | "labels";

const UINT8_TYPE = 0x08;
const DIMENSIONS: Record<IdxContent, number> = { images: 3, labels: 1 };
const TYPE_NAMES: Record<number, string> = {
  0x08: "uint8",
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

function expectedMagic(content: IdxContent): string {
  const shape = content === "images" ? "[N, rows, cols]" : "[N]";
  return `${hex32((UINT8_TYPE << 8) | DIMENSIONS[content])} (uint8 ${content} ${shape})`;
}

/** Whether `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip `bytes`, bounded by the largest byte array this process holds. */
function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: dataFileKind("IDX file").maxBytes });
  } catch (error) {
    throw new CnncUserError(`${name} starts like a gzip file but cannot be decompressed: ${(error as Error).message}`, {
      hint: "download the file again (a .gz file is damaged or cut short), or decompress it with `gunzip` to see the problem",
    });
  }
}

/** Reads an IDX file of uint8 `content` from `path`, decompressing it when it is gzip. */
export function readIdx(path: string, content: IdxContent): IdxArray {
  return decodeIdx(readUserFile(path, dataFileKind("IDX file")), `\`${path}\``, content);
}

/** The IDX array in `bytes` (raw or gzip); `name` is the quoted file name for messages. */
export function decodeIdx(bytes: Uint8Array, name: string, content: IdxContent): IdxArray {
  const raw = isGzip(bytes) ? gunzip(bytes, name) : bytes;
  if (raw.length < 4) {
    throw new CnncUserError(`${name} is truncated: an IDX header needs at least 4 bytes, the file holds ${raw.length}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const typeCode = raw[2] ?? 0;
  const dimensionCount = raw[3] ?? 0;
  if (raw[0] !== 0 || raw[1] !== 0 || TYPE_NAMES[typeCode] === undefined) {
    throw new CnncUserError(`${name} is not an IDX file: its magic number is ${hex32(magic)}, expected ${expectedMagic(content)}`, {
      hint: "give the MNIST-format file itself (e.g. train-images-idx3-ubyte or its .gz)",
    });
  }
  if (typeCode !== UINT8_TYPE) {
    throw new CnncUserError(
      `${name} holds ${TYPE_NAMES[typeCode]} values (magic ${hex32(magic)}); cnnc reads uint8 IDX files, expected ${expectedMagic(content)}`,
    );
  }
  if (dimensionCount !== DIMENSIONS[content]) {
    const other = dimensionCount === 1 ? " (a label file)" : dimensionCount === 3 ? " (an image file)" : "";
    throw new CnncUserError(
      `${name} has magic ${hex32(magic)}, a uint8 IDX file with ${dimensionCount} dimension${dimensionCount === 1 ? "" : "s"}${other}; expected ${expectedMagic(content)}`,
      { hint: content === "images" ? "the images file is the *-images-idx3-ubyte one" : "the labels file is the *-labels-idx1-ubyte one" },
    );
  }
  const headerBytes = 4 + 4 * dimensionCount;
  if (raw.length < headerBytes) {
    throw new CnncUserError(`${name} is truncated: its header needs ${headerBytes} bytes, the file holds ${raw.length}`);
  }
  const dims = Array.from({ length: dimensionCount }, (_, axis) => view.getUint32(4 + 4 * axis, false));
  const count = dims.reduce((product, size) => product * size, 1);
  const dataBytes = raw.length - headerBytes;
  if (dataBytes !== count) {
    const problem = dataBytes < count ? "is truncated" : "has trailing bytes";
    throw new CnncUserError(
      `${name} ${problem}: its header says [${dims.join(", ")}], which needs ${count} bytes of data, the file holds ${dataBytes}`,
      { hint: dataBytes < count ? "the download was cut short: fetch the file again" : undefined },
    );
  }
  return { dims, data: raw.subarray(headerBytes) };
}
