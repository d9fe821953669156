// Writing the files a user names (--output, --save-weights). `checkWritable` runs before the work
// starts, so a bad path costs nothing; `writeFileAtomically` writes a temporary file next to the target
// and renames it over the target, so a failed or concurrent write never leaves half a file, and a
// failure (a full device, say) removes the temporary file and is a CnncUserError naming the path.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";

import { CnncUserError } from "../src/errors.js";
import { describeFsError, nonRegularKind } from "../src/regularFiles.js";

/** The file system calls a write makes (tests inject failures such as a full device). */
export interface WriteFileSystem {
  openSync(path: string, flags: string, mode: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const nodeFileSystem: WriteFileSystem = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
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
    current = resolve(dirname(current), fs.readlinkSync(current));
  }
  throw new CnncUserError(`cannot write \`${path}\`: too many levels of symbolic links`);
}

function canWrite(path: string): string | undefined {
  try {
    fs.accessSync(path, fs.constants.W_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}

/**
 * Checks, before any work, that `path` can be written: its directory exists and is writable, and the
 * path is not a directory or another kind of non-regular file. `option` names where the path came
 * from (`--output`) in messages.
 */
export function checkWritable(path: string, option: string): void {
  if (path === "") throw new CnncUserError(`${option} is an empty path`, { hint: "give a file path" });
  if (path.endsWith(sep) || path.endsWith("/")) {
    throw new CnncUserError(`${option} \`${path}\` names a directory (it ends in ${sep})`, {
      hint: `give a file path, e.g. ${join(path, "out.npy")}`,
    });
  }
  const target = writeTarget(path);
  const via = target === path ? "" : ` (a link to \`${target}\`)`;
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(target);
  } catch {
    stats = undefined;
  }
  if (stats !== undefined) {
    const other = nonRegularKind(stats);
    if (other === "a directory") {
      throw new CnncUserError(`${option} \`${path}\`${via} is a directory`, {
        hint: `give a file path, e.g. ${join(path, "out.npy")}`,
      });
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
  const directory = dirname(resolve(target));
  let directoryStats: fs.Stats;
  try {
    directoryStats = fs.statSync(directory);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const problem = missing ? "does not exist" : `cannot be used: ${describeFsError(error)}`;
    throw new CnncUserError(`${option} \`${path}\`: the directory \`${dirname(target)}\` ${problem}`, {
      hint: missing ? `create it first (mkdir -p ${dirname(target)}) or choose another path` : "choose another path",
    });
  }
  if (!directoryStats.isDirectory()) {
    throw new CnncUserError(`${option} \`${path}\`: \`${dirname(target)}\` is not a directory`, { hint: "choose another path" });
  }
  const problem = canWrite(directory);
  if (problem !== undefined) {
    throw new CnncUserError(`${option} \`${path}\`: cannot create files in \`${dirname(target)}\`: ${problem}`, {
      hint: "choose a directory you can write to",
    });
  }
}

/** The parts as one array. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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
 * Writes `parts` to `path` (through a symbolic link to its target) atomically: into a new temporary
 * file in the same directory, flushed to disk, then renamed over the target. On failure the temporary
 * file is removed, the target is left as it was, and the error is a CnncUserError with the reason.
 */
export function writeFileAtomically(path: string, parts: readonly Uint8Array[], fileSystem: WriteFileSystem = nodeFileSystem): void {
  const target = writeTarget(path);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  let mode = 0o666;
  try {
    mode = fs.statSync(target).mode & 0o777; // a replaced file keeps its permissions
  } catch {
    // a new file: the default mode (less the umask)
  }
  let fd: number | undefined;
  let created = false;
  try {
    fd = fileSystem.openSync(temporary, "wx", mode);
    created = true;
    for (const part of parts) writeAll(fileSystem, fd, part);
    fileSystem.fsyncSync(fd);
    const open = fd;
    fd = undefined;
    fileSystem.closeSync(open);
    fileSystem.renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) {
      try {
        fileSystem.closeSync(fd);
      } catch {
        // already failing: the write's error is the one to report
      }
    }
    if (created) {
      try {
        fileSystem.unlinkSync(temporary);
      } catch {
        // nothing more to clean up
      }
    }
    const reason = describeFsError(error);
    const full = reason === "the device is full" || reason === "the disk quota is exhausted";
    throw new CnncUserError(`cannot write \`${path}\`: ${reason}`, {
      hint: full ? "free some space there (or write somewhere else) and run again" : undefined,
      cause: error,
    });
  }
}
