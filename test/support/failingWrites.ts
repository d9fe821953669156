// A file system for atomic writes (runtime/writeUserFile.ts) whose writes fail part-way, the way a
// full device fails them.
import * as fs from "node:fs";
import type { WriteFileSystem } from "../../runtime/writeUserFile.js";

/** The real file system, except that writes fail with `code` after `allowed` bytes. */
export function failingWrites(code: string, allowed: number): WriteFileSystem & { temporary?: string } {
  let written = 0;
  const fileSystem: WriteFileSystem & { temporary?: string } = {
    openSync: (path, flags, mode) => {
      fileSystem.temporary = path;
      return fs.openSync(path, flags, mode);
    },
    fchmodSync: (fd, mode) => fs.fchmodSync(fd, mode),
    writeSync: (fd, buffer, offset, length) => {
      const room = allowed - written;
      if (room <= 0) throw Object.assign(new Error(`${code}: simulated`), { code });
      const count = fs.writeSync(fd, buffer, offset, Math.min(length, room));
      written += count;
      return count;
    },
    fsyncSync: (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: (from, to) => fs.renameSync(from, to),
    unlinkSync: (path) => fs.unlinkSync(path),
  };
  return fileSystem;
}
