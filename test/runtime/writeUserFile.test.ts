// Output files: checked before the run, written atomically, and a failed write (a full device) leaves
// the target as it was and no temporary file behind.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { checkWritable, writeFileAtomically, type WriteFileSystem } from "../../runtime/writeUserFile.js";
import { userError } from "../support/userError.js";

const dir = fs.mkdtempSync(join(tmpdir(), "cnnc-write-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The real file system, except that writes fail with `code` after `allowed` bytes. */
function failingWrites(code: string, allowed: number): WriteFileSystem & { temporary?: string } {
  let written = 0;
  const fileSystem: WriteFileSystem & { temporary?: string } = {
    openSync: (path, flags, mode) => {
      fileSystem.temporary = path;
      return fs.openSync(path, flags, mode);
    },
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

function filesIn(directory: string): string[] {
  return fs.readdirSync(directory).sort();
}

describe("writeFileAtomically", () => {
  it("writes all parts and leaves only the target", () => {
    const sub = fs.mkdtempSync(join(dir, "ok-"));
    const path = join(sub, "y.npy");
    writeFileAtomically(path, [bytes("head:"), bytes("data")]);
    expect(fs.readFileSync(path, "utf8")).toBe("head:data");
    expect(filesIn(sub)).toEqual(["y.npy"]);
  });

  it("on a full device keeps the old file, removes the temporary one and says why", () => {
    const sub = fs.mkdtempSync(join(dir, "full-"));
    const path = join(sub, "y.npy");
    fs.writeFileSync(path, "old contents");
    const fileSystem = failingWrites("ENOSPC", 3);
    const error = userError(() => writeFileAtomically(path, [bytes("new contents")], fileSystem));
    expect(error.message).toBe(`cannot write \`${path}\`: the device is full`);
    expect(error.hint).toBe("free some space there (or write somewhere else) and run again");
    expect(fileSystem.temporary).toMatch(/\/\.y\.npy\.\d+-[0-9a-f]+\.tmp$/);
    expect(fs.readFileSync(path, "utf8")).toBe("old contents");
    expect(filesIn(sub)).toEqual(["y.npy"]);
  });

  it("cleans up when the rename fails, and reports other errors by their reason", () => {
    const sub = fs.mkdtempSync(join(dir, "rename-"));
    const path = join(sub, "w.safetensors");
    const fileSystem: WriteFileSystem = {
      ...failingWrites("EIO", Infinity),
      renameSync: () => {
        throw Object.assign(new Error("EROFS: simulated"), { code: "EROFS" });
      },
    };
    expect(userError(() => writeFileAtomically(path, [bytes("x")], fileSystem)).message).toBe(
      `cannot write \`${path}\`: the file system is read-only`,
    );
    expect(filesIn(sub)).toEqual([]);
  });

  it("writes through a symbolic link to its target, keeping the link and the target's permissions", () => {
    const sub = fs.mkdtempSync(join(dir, "link-"));
    const target = join(sub, "real.npy");
    fs.writeFileSync(target, "old");
    fs.chmodSync(target, 0o640);
    const link = join(sub, "link.npy");
    fs.symlinkSync("real.npy", link);
    writeFileAtomically(link, [bytes("new")]);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, "utf8")).toBe("new");
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    expect(filesIn(sub)).toEqual(["link.npy", "real.npy"]);
  });
});

describe("checkWritable", () => {
  it("accepts a new file in an existing directory and an existing regular file", () => {
    expect(() => checkWritable(join(dir, "new.npy"), "--output")).not.toThrow();
    const existing = join(dir, "existing.npy");
    fs.writeFileSync(existing, "x");
    expect(() => checkWritable(existing, "--output")).not.toThrow();
  });

  it("refuses a missing directory, a directory, and a path through a file", () => {
    const missing = userError(() => checkWritable(join(dir, "no", "y.npy"), "--output"));
    expect(missing.message).toBe(`--output \`${join(dir, "no", "y.npy")}\`: the directory \`${join(dir, "no")}\` does not exist`);
    expect(missing.hint).toBe(`create it first (mkdir -p ${join(dir, "no")}) or choose another path`);
    const directory = userError(() => checkWritable(dir, "--save-weights"));
    expect(directory.message).toBe(`--save-weights \`${dir}\` is a directory`);
    const file = join(dir, "file.txt");
    fs.writeFileSync(file, "x");
    expect(userError(() => checkWritable(join(file, "y.npy"), "--output")).message).toBe(
      `--output \`${join(file, "y.npy")}\`: \`${file}\` is not a directory`,
    );
  });

  it("refuses an empty path and one that ends in a separator", () => {
    expect(userError(() => checkWritable("", "--output")).message).toBe("--output is an empty path");
    expect(userError(() => checkWritable(join(dir, "new-dir") + "/", "--output")).message).toBe(
      `--output \`${join(dir, "new-dir")}/\` names a directory (it ends in /)`,
    );
  });

  it.skipIf(!fs.existsSync("/dev/null"))("refuses a device", () => {
    expect(userError(() => checkWritable("/dev/null", "--output")).message).toBe(
      "--output `/dev/null` is a character device, not a regular file",
    );
  });

  it("names the target of a symbolic link", () => {
    const link = join(dir, "to-dir");
    fs.symlinkSync(dir, link);
    expect(userError(() => checkWritable(link, "--output")).message).toBe(`--output \`${link}\` (a link to \`${dir}\`) is a directory`);
  });

  // Permission checks do not apply to root, who may write anywhere.
  it.skipIf(process.getuid?.() === 0)("refuses a directory without write permission", () => {
    const locked = fs.mkdtempSync(join(dir, "locked-"));
    fs.chmodSync(locked, 0o500);
    try {
      expect(userError(() => checkWritable(join(locked, "y.npy"), "--output")).message).toBe(
        `--output \`${join(locked, "y.npy")}\`: cannot create files in \`${locked}\`: permission denied`,
      );
    } finally {
      fs.chmodSync(locked, 0o700);
    }
  });
});
