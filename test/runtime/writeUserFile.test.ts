// Output files: checked before the run (by creating and removing the temporary file the write will
// need, with paths resolved by the kernel as written), written atomically, and a failed write (a full
// device) leaves the target as it was and no temporary file behind.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { checkWritable, shellQuote, writeFileAtomically, type WriteFileSystem } from "../../runtime/writeUserFile.js";
import { failingWrites } from "../support/failingWrites.js";
import { userError } from "../support/userError.js";

const dir = fs.mkdtempSync(join(tmpdir(), "cnnc-write-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

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

  it("flushes the file, renames it over the target, then flushes the directory", () => {
    const sub = fs.mkdtempSync(join(dir, "sync-"));
    const path = join(sub, "y.npy");
    const calls: string[] = [];
    const real = failingWrites("EIO", Infinity);
    const recording: WriteFileSystem = {
      ...real,
      openSync: (file, flags, mode) => {
        calls.push(`open ${file === sub ? "directory" : "temporary"}`);
        return real.openSync(file, flags, mode);
      },
      fsyncSync: (fd) => {
        calls.push("fsync");
        real.fsyncSync(fd);
      },
      renameSync: (from, to) => {
        calls.push("rename");
        real.renameSync(from, to);
      },
    };
    writeFileAtomically(path, [bytes("x")], recording);
    expect(calls).toEqual(["open temporary", "fsync", "rename", "open directory", "fsync"]);
    expect(fs.readFileSync(path, "utf8")).toBe("x");
  });

  it("on a full device keeps the old file, removes the temporary one and says why", () => {
    const sub = fs.mkdtempSync(join(dir, "full-"));
    const path = join(sub, "y.npy");
    fs.writeFileSync(path, "old contents");
    const fileSystem = failingWrites("ENOSPC", 3);
    const error = userError(() => writeFileAtomically(path, [bytes("new contents")], fileSystem));
    expect(error.message).toBe(`cannot write \`${path}\`: the device is full`);
    expect(error.hint).toBe("free some space there (or write somewhere else) and run again");
    expect(fileSystem.temporary).toMatch(/\/\.cnnc-\d+-[0-9a-f]{8}\.tmp$/);
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

  it("keeps permission bits the umask would clear (group and other write)", () => {
    const sub = fs.mkdtempSync(join(dir, "mode-"));
    const path = join(sub, "shared.npy");
    fs.writeFileSync(path, "old");
    fs.chmodSync(path, 0o666);
    writeFileAtomically(path, [bytes("new")]);
    expect(fs.readFileSync(path, "utf8")).toBe("new");
    expect(fs.statSync(path).mode & 0o777).toBe(0o666);
  });

  it("writes a file whose name is 254 characters long (the temporary name is short)", () => {
    const sub = fs.mkdtempSync(join(dir, "long-"));
    const path = join(sub, `${"n".repeat(250)}.npy`);
    checkWritable(path, "--output");
    writeFileAtomically(path, [bytes("long")]);
    expect(fs.readFileSync(path, "utf8")).toBe("long");
    expect(filesIn(sub)).toEqual([`${"n".repeat(250)}.npy`]);
  });
});

describe("checkWritable", () => {
  it("accepts a new file in an existing directory and an existing regular file, leaving nothing behind", () => {
    const sub = fs.mkdtempSync(join(dir, "accept-"));
    expect(() => checkWritable(join(sub, "new.npy"), "--output")).not.toThrow();
    const existing = join(sub, "existing.npy");
    fs.writeFileSync(existing, "x");
    expect(() => checkWritable(existing, "--output")).not.toThrow();
    expect(filesIn(sub)).toEqual(["existing.npy"]);
    expect(fs.readFileSync(existing, "utf8")).toBe("x");
  });

  it("creates the temporary file the write will need, and says why it cannot", () => {
    const sub = fs.mkdtempSync(join(dir, "probe-"));
    const readOnly: WriteFileSystem = {
      ...failingWrites("EIO", Infinity),
      openSync: () => {
        throw Object.assign(new Error("EROFS: simulated"), { code: "EROFS" });
      },
    };
    const error = userError(() => checkWritable(join(sub, "y.npy"), "--output", readOnly));
    expect(error.message).toBe(`--output \`${join(sub, "y.npy")}\`: cannot create files in \`${sub}\`: the file system is read-only`);
    expect(error.hint).toBe("choose a directory you can write to");
  });

  it("lets the kernel resolve `..`: a missing directory before it is refused", () => {
    const path = `${dir}/nosuch/../y.npy`;
    const error = userError(() => checkWritable(path, "--output"));
    expect(error.message).toBe(`--output \`${path}\`: the directory \`${dir}/nosuch/..\` does not exist`);
  });

  it("refuses a file name past the file system's limit, and quotes paths in its shell hint", () => {
    const long = join(dir, `${"n".repeat(252)}.npy`);
    const error = userError(() => checkWritable(long, "--output"));
    expect(error.message).toBe(`--output \`${long}\` cannot be used: the path is too long`);
    expect(error.hint).toBe("use a shorter file name");
    const spaced = userError(() => checkWritable(join(dir, "my dir", "y.npy"), "--output"));
    expect(spaced.hint).toBe(`create it first (mkdir -p '${join(dir, "my dir")}') or choose another path`);
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("out/y-1.npy")).toBe("out/y-1.npy");
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
