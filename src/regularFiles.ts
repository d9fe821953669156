// Reading the files a user names (model sources, `use`d files, .npy inputs, safetensors weights): each
// must be a regular file within a stated size. The path is stat'ed before it is opened, so a FIFO is
// never opened (opening one blocks until a writer appears) and /dev/zero is refused instead of read
// until memory runs out; the read itself is bounded too, so a file that grows while being read is
// still refused. Problems are data, for callers to turn into diagnostics or CnncUserErrors.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";

import { joinBytes } from "./bytes.js";
import { formatBytes, formatInteger } from "./ir/format.js";

/** What kind of file is read, for the size bound and the messages. */
export interface FileKind {
  /** `model source`, `.npy file`: the singular noun. */
  noun: string;
  maxBytes: number;
  /** How to get under `maxBytes` (or why nothing real is that large). */
  tooLargeHint: string;
}

export type FileProblemCode = "missing" | "not-regular" | "too-large" | "unreadable";

export interface FileProblem {
  code: FileProblemCode;
  /** The whole sentence, naming the path: "`/dev/zero` is a character device, not a regular file". */
  message: string;
  hint?: string;
}

export type RegularFileRead = { bytes: Uint8Array } | { problem: FileProblem };

/** Node's reads take at most 2^31 - 1 bytes at a time. */
const READ_CHUNK = 1 << 30;

/**
 * The file-type tests of node:fs's Stats, written out so that the package's declarations do not need
 * Node's types (a consumer without @types/node still type-checks).
 */
export interface FileTypeTests {
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

/** `a directory`, `a character device`, ...: what a non-regular file is, or undefined for a regular file. */
export function nonRegularKind(stats: FileTypeTests): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return "a directory";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}

/** The errno code (`ENOENT`) of a failed fs call. */
export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** The reason an fs call failed, in words: `no such file`, `permission denied`. */
export function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case "ENOENT":
      return "no such file";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "ENAMETOOLONG":
      return "the path is too long";
    case "ENOSPC":
      return "the device is full";
    case "EDQUOT":
      return "the disk quota is exhausted";
    case "EROFS":
      return "the file system is read-only";
    case "EFBIG":
      return "the file is too large for the file system";
    case "EIO":
      return "an input/output error occurred";
    case "EISDIR":
      return "it is a directory";
    default:
      return (error as Error).message;
  }
}

function problemFromError(path: string, error: unknown): FileProblem {
  const code = errorCode(error);
  const missing = code === "ENOENT" || code === "ENOTDIR";
  return { code: missing ? "missing" : "unreadable", message: `cannot read \`${path}\`: ${describeFsError(error)}` };
}

function checkStats(path: string, stats: Stats, kind: FileKind): FileProblem | undefined {
  const other = nonRegularKind(stats);
  if (other === "a directory") {
    return { code: "not-regular", message: `\`${path}\` is a directory`, hint: `give the path of a ${kind.noun} (a file)` };
  }
  if (other !== undefined) {
    return {
      code: "not-regular",
      message: `\`${path}\` is ${other}, not a regular file`,
      hint: `cnnc reads a ${kind.noun} only from a regular file (it checks the size before reading): save the data to a file first`,
    };
  }
  if (stats.size > kind.maxBytes) return tooLargeProblem(path, stats.size, kind);
  return undefined;
}

/** `size` undefined: the file grew past the bound while being read. */
function tooLargeProblem(path: string, size: number | undefined, kind: FileKind): FileProblem {
  let sizeText = size === undefined ? "" : formatBytes(size);
  let limitText = formatBytes(kind.maxBytes);
  if (sizeText.replace(/\.0 /, " ") === limitText) {
    // Just past the bound, both round alike: give exact byte counts.
    sizeText = `${formatInteger(size ?? 0)} bytes`;
    limitText = `${formatInteger(kind.maxBytes)} bytes`;
  }
  const what = size === undefined ? "grew while cnnc was reading it" : `is ${sizeText}`;
  return { code: "too-large", message: `\`${path}\` ${what}; cnnc reads ${kind.noun}s up to ${limitText}`, hint: kind.tooLargeHint };
}

/** Reads into `buffer` until it is full or the file ends; returns how many bytes it holds. */
function fill(fd: number, buffer: Uint8Array): number {
  let filled = 0;
  while (filled < buffer.length) {
    const count = readSync(fd, buffer, filled, Math.min(buffer.length - filled, READ_CHUNK), null);
    if (count === 0) break;
    filled += count;
  }
  return filled;
}

/** How much is read at a time from a file that turned out larger than its stat size. */
const GROWTH_CHUNK = 64 * 1024;

/**
 * Reads from `fd` until end of file, refusing more than `kind.maxBytes`; `expected` is the size stat
 * gave. The common case, a file of exactly that size, is read into one array and returned as it is.
 */
function readBounded(fd: number, path: string, expected: number, kind: FileKind): RegularFileRead {
  const buffer = new Uint8Array(expected);
  const filled = fill(fd, buffer);
  if (filled < expected) return { bytes: buffer.subarray(0, filled) }; // it shrank since the stat
  // A one-byte probe tells the end of the file from a file that grew (or, in /proc, reports size 0).
  const probe = new Uint8Array(1);
  if (fill(fd, probe) === 0) return { bytes: buffer };
  const parts = [buffer, probe];
  let total = expected + 1;
  for (;;) {
    if (total > kind.maxBytes) return { problem: tooLargeProblem(path, undefined, kind) };
    const chunk = new Uint8Array(Math.min(GROWTH_CHUNK, kind.maxBytes + 1 - total));
    const count = fill(fd, chunk);
    parts.push(chunk.subarray(0, count));
    total += count;
    if (count < chunk.length) break; // the end of the file
  }
  return { bytes: joinBytes(parts) };
}

/**
 * Reads `path` if it is a regular file of at most `kind.maxBytes`; otherwise says what it is. A path
 * that names a FIFO or a device is never opened.
 */
export function readRegularFile(path: string, kind: FileKind): RegularFileRead {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return { problem: problemFromError(path, error) };
  }
  const problem = checkStats(path, stats, kind);
  if (problem !== undefined) return { problem };
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not block.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { problem: problemFromError(path, error) };
  }
  try {
    // What was opened is what is read: check it again (the path may have been replaced).
    const opened = fstatSync(fd);
    const replaced = checkStats(path, opened, kind);
    if (replaced !== undefined) return { problem: replaced };
    return readBounded(fd, path, opened.size, kind);
  } catch (error) {
    return { problem: problemFromError(path, error) };
  } finally {
    closeSync(fd);
  }
}
