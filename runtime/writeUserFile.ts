// Writing the files a user names (--output, --save-weights). `checkWritable` runs before the work
// starts, so a bad path costs nothing; `writeFileAtomically` writes a temporary file next to the target
// and renames it over the target, so a failed or concurrent write never leaves half a file, and a
// failure (a full device, say) removes the temporary file and is a CnncUserError naming the path.
// Paths are handed to the kernel as the user wrote them, never normalized here: `nosuch/../y.npy`
// needs `nosuch` to exist, and only the kernel resolves `..` and symbolic links the way the write will.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { dirname, isAbsolute, join, sep } from "node:path";

import { CnncUserError } from "../src/errors.js";
import { describeFsError, errorCode, nonRegularKind } from "../src/regularFiles.js";

/** The file system calls a write makes (tests inject failures such as a full device). */
export interface WriteFileSystem {
  openSync(path: string, flags: string, mode: number): number;
  fchmodSync(fd: number, mode: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const nodeFileSystem: WriteFileSystem = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  fchmodSync: (fd, mode) => fs.fchmodSync(fd, mode),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
};

/** Node's writes take at most 2^31 - 1 bytes at a time. */
const WRITE_CHUNK = 1 << 30;
/** Linux's limit on symbolic links followed in one path lookup. */
const MAX_LINK_HOPS = 40;

/** `name` inside `directory`, joined as written (path.join would resolve `..` textually). */
function inDirectory(directory: string, name: string): string {
  return directory.endsWith(sep) ? `${directory}${name}` : `${directory}${sep}${name}`;
}

/**
 * Where a write to `path` lands: `path` itself, or, when it is a symbolic link, the file the link
 * points to (which is replaced; the link is kept, as when writing through it).
 */
export function writeTarget(path: string): string {
  let current = path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(current);
    } catch {
      return current; // does not exist (yet): the write creates it here
    }
    if (!stats.isSymbolicLink()) return current;
    const link = fs.readlinkSync(current);
    current = isAbsolute(link) ? link : inDirectory(dirname(current), link);
  }
  throw new CnncUserError(`cannot write \`${path}\`: too many levels of symbolic links`);
}

/**
 * A short temporary name next to `target` (`.cnnc-<pid>-<random>.tmp`): it fits wherever the target's
 * own name does, however long that is.
 */
function temporaryPath(target: string): string {
  return inDirectory(dirname(target), `.cnnc-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

/** `path` as one word of a shell command: as it is when that is safe, else in single quotes. */
export function shellQuote(path: string): string {
  return /^[\w./,:=+@%-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

function canWrite(path: string): string | undefined {
  try {
    fs.accessSync(path, fs.constants.W_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}

/** A file name for hints, of the kind `option` writes (default: an --output tensor). */
const EXAMPLE_FILE_NAMES: Readonly<Record<string, string>> = { "--pytorch": "net.py", "--onnx": "net.onnx", "--save-weights": "weights.safetensors" };
function exampleFileName(option: string): string {
  return EXAMPLE_FILE_NAMES[option] ?? "out.npy";
}

/** ` (a link to `target`)` when `path` is a symbolic link to an existing file, for messages. */
function linkNote(path: string, target: string): string {
  return target !== path && fs.existsSync(target) ? ` (a link to \`${target}\`)` : "";
}

/** Refuses an existing `path` that is not a regular file, or one that may not be overwritten. */
function checkExisting(path: string, stats: fs.Stats, option: string): void {
  const target = writeTarget(path);
  const via = linkNote(path, target);
  const other = nonRegularKind(stats);
  if (other === "a directory") {
    throw new CnncUserError(`${option} \`${path}\`${via} is a directory`, { hint: `give a file path, e.g. ${join(path, exampleFileName(option))}` });
  }
  if (other !== undefined) {
    throw new CnncUserError(`${option} \`${path}\`${via} is ${other}, not a regular file`, {
      hint: "cnnc writes only regular files (through a temporary file renamed over the target): give a file path",
    });
  }
  const problem = canWrite(target);
  if (problem !== undefined) {
    throw new CnncUserError(`${option} \`${path}\`${via} cannot be overwritten: ${problem}`, {
      hint: "choose another file name, or change the file's permissions",
    });
  }
}

/** Checks that `directory` exists and is one, for a new file `path` in it. */
function checkDirectory(path: string, directory: string, option: string): void {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(directory);
  } catch (error) {
    const missing = errorCode(error) === "ENOENT";
    const problem = missing ? "does not exist" : `cannot be used: ${describeFsError(error)}`;
    throw new CnncUserError(`${option} \`${path}\`: the directory \`${directory}\` ${problem}`, {
      hint: missing ? `create it first (mkdir -p ${shellQuote(directory)}) or choose another path` : "choose another path",
    });
  }
  if (!stats.isDirectory()) {
    throw new CnncUserError(`${option} \`${path}\`: \`${directory}\` is not a directory`, { hint: "choose another path" });
  }
}

/**
 * Checks, before any work, that `path` can be written: it is a regular file or a new file in an
 * existing directory, and a temporary file can be created (and is removed again) where the write will
 * create its own. `option` names where the path came from (`--output`) in messages.
 */
export function checkWritable(path: string, option: string, fileSystem: WriteFileSystem = nodeFileSystem): void {
  if (path === "") throw new CnncUserError(`${option} is an empty path`, { hint: "give a file path" });
  if (path.endsWith(sep) || path.endsWith("/")) {
    throw new CnncUserError(`${option} \`${path}\` names a directory (it ends in ${sep})`, {
      hint: `give a file path, e.g. ${join(path, exampleFileName(option))}`,
    });
  }
  // The kernel follows the path, links (and /proc's links to pipes and terminals) included.
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(path);
  } catch (error) {
    const code = errorCode(error);
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      throw new CnncUserError(`${option} \`${path}\` cannot be used: ${describeFsError(error)}`, {
        hint: code === "ENAMETOOLONG" ? "use a shorter file name" : "choose another path",
      });
    }
  }
  if (stats !== undefined) checkExisting(path, stats, option);
  const target = writeTarget(path);
  const directory = dirname(target);
  if (stats === undefined) checkDirectory(path, directory, option);
  try {
    removeTemporary(fileSystem, createTemporary(fileSystem, target, undefined));
  } catch (error) {
    throw new CnncUserError(`${option} \`${path}\`: cannot create files in \`${directory}\`: ${describeFsError(error)}`, {
      hint: "choose a directory you can write to",
      cause: error,
    });
  }
}

interface Temporary {
  path: string;
  /** Open for writing; undefined once closed. */
  fd: number | undefined;
}

/** Creates a new temporary file next to `target`; `mode`, when given, is set exactly (not masked by the umask). */
function createTemporary(fileSystem: WriteFileSystem, target: string, mode: number | undefined): Temporary {
  const path = temporaryPath(target);
  const fd = fileSystem.openSync(path, "wx", mode ?? 0o666);
  const temporary = { path, fd };
  if (mode !== undefined) {
    try {
      fileSystem.fchmodSync(fd, mode);
    } catch (error) {
      removeTemporary(fileSystem, temporary);
      throw error;
    }
  }
  return temporary;
}

/** Closes and removes a temporary file; its own failures are ignored (an error is already being reported, or it is gone). */
function removeTemporary(fileSystem: WriteFileSystem, temporary: Temporary): void {
  if (temporary.fd !== undefined) {
    try {
      fileSystem.closeSync(temporary.fd);
    } catch {
      // nothing more to do with it
    }
    temporary.fd = undefined;
  }
  try {
    fileSystem.unlinkSync(temporary.path);
  } catch {
    // nothing more to clean up
  }
}

function writeAll(fileSystem: WriteFileSystem, fd: number, part: Uint8Array): void {
  let offset = 0;
  while (offset < part.length) {
    const written = fileSystem.writeSync(fd, part, offset, Math.min(part.length - offset, WRITE_CHUNK));
    if (written <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    offset += written;
  }
}

/**
 * Flushes `directory`'s entries, so the rename itself survives a crash (a checkpoint taken must stay
 * taken). Best effort: the file is complete and in place already, and some file systems refuse
 * fsync on a directory.
 */
function syncDirectory(fileSystem: WriteFileSystem, directory: string): void {
  let fd: number | undefined;
  try {
    fd = fileSystem.openSync(directory, "r", 0);
    fileSystem.fsyncSync(fd);
  } catch {
    // see above
  } finally {
    if (fd !== undefined) {
      try {
        fileSystem.closeSync(fd);
      } catch {
        // nothing more to do with it
      }
    }
  }
}

/**
 * Writes `parts` to `path` (through a symbolic link to its target) atomically: into a new temporary
 * file in the same directory, flushed to disk, then renamed over the target (and the directory flushed). A replaced file keeps its
 * permission bits; a new one gets the default mode less the umask. On failure the temporary file is
 * removed, the target is left as it was, and the error is a CnncUserError with the reason.
 */
export function writeFileAtomically(path: string, parts: readonly Uint8Array[], fileSystem: WriteFileSystem = nodeFileSystem): void {
  const target = writeTarget(path);
  let mode: number | undefined;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    mode = undefined; // a new file
  }
  let temporary: Temporary | undefined;
  try {
    temporary = createTemporary(fileSystem, target, mode);
    const fd = temporary.fd!;
    for (const part of parts) writeAll(fileSystem, fd, part);
    fileSystem.fsyncSync(fd);
    temporary.fd = undefined;
    fileSystem.closeSync(fd);
    fileSystem.renameSync(temporary.path, target);
    temporary = undefined; // renamed: nothing left to clean up
    syncDirectory(fileSystem, dirname(target));
  } catch (error) {
    if (temporary !== undefined) removeTemporary(fileSystem, temporary);
    const reason = describeFsError(error);
    const full = reason === "the device is full" || reason === "the disk quota is exhausted";
    throw new CnncUserError(`cannot write \`${path}\`: ${reason}`, {
      hint: full ? "free some space there (or write somewhere else) and run again" : undefined,
      cause: error,
    });
  }
}
