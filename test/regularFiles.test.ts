// The shared reader of user files: only regular files within the bound are read; everything else is
// a problem naming the path. (FIFOs are tested through child processes in test/cli/inputFiles.test.ts,
// so that a regression blocks a child that is killed, not the test run.)
import { existsSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { type FileKind, nonRegularKind, readRegularFile } from "../src/regularFiles.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL: FileKind = { noun: "test file", maxBytes: 100, tooLargeHint: "make it smaller" };

function problemOf(path: string, kind = SMALL) {
  const read = readRegularFile(path, kind);
  if (!("problem" in read)) throw new Error(`expected a problem reading ${path}`);
  return read.problem;
}

describe("readRegularFile", () => {
  it("reads a regular file, also through a symbolic link, and an empty one", () => {
    const path = join(dir, "a.txt");
    writeFileSync(path, "hello");
    const link = join(dir, "link.txt");
    symlinkSync(path, link);
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "");
    for (const [file, text] of [
      [path, "hello"],
      [link, "hello"],
      [empty, ""],
    ] as const) {
      const read = readRegularFile(file, SMALL);
      expect("bytes" in read && new TextDecoder().decode(read.bytes)).toBe(text);
    }
  });

  it("reads a file of exactly the bound and refuses one byte more, by its size, before reading", () => {
    const exact = join(dir, "exact.bin");
    writeFileSync(exact, new Uint8Array(100));
    expect("bytes" in readRegularFile(exact, SMALL)).toBe(true);
    const over = join(dir, "over.bin");
    writeFileSync(over, new Uint8Array(101));
    expect(problemOf(over)).toEqual({
      code: "too-large",
      message: `\`${over}\` is 101 bytes; cnnc reads test files up to 100 bytes`,
      hint: "make it smaller",
    });
    // A sparse 3 GiB file: refused from its size alone (reading it would take seconds and the memory).
    const sparse = join(dir, "big.cnn");
    writeFileSync(sparse, "");
    truncateSync(sparse, Math.round(3.2 * 2 ** 30));
    expect(problemOf(sparse, { ...SMALL, noun: "model source", maxBytes: 16 * 2 ** 20 }).message).toBe(
      `\`${sparse}\` is 3.2 GiB; cnnc reads model sources up to 16 MiB`,
    );
  });

  it("says what a non-regular path is", () => {
    expect(problemOf(dir)).toMatchObject({ code: "not-regular", message: `\`${dir}\` is a directory` });
    const dirLink = join(dir, "dir-link");
    symlinkSync(dir, dirLink);
    expect(problemOf(dirLink).message).toBe(`\`${dirLink}\` is a directory`);
  });

  it("names a kind of file it does not know as a special file (the message adds `not a regular file`)", () => {
    const no = (): boolean => false;
    const unknown = { isFile: no, isDirectory: no, isCharacterDevice: no, isBlockDevice: no, isFIFO: no, isSocket: no };
    expect(nonRegularKind(unknown)).toBe("a special file");
  });

  it.skipIf(!existsSync("/dev/zero"))("refuses a character device without reading it", () => {
    expect(problemOf("/dev/zero")).toMatchObject({
      code: "not-regular",
      message: "`/dev/zero` is a character device, not a regular file",
    });
  });

  it("reports a missing file, and a path through a file, as missing", () => {
    expect(problemOf(join(dir, "nope.txt"))).toEqual({ code: "missing", message: `cannot read \`${join(dir, "nope.txt")}\`: no such file` });
    const file = join(dir, "plain.txt");
    writeFileSync(file, "x");
    expect(problemOf(join(file, "inner.txt"))).toMatchObject({
      code: "missing",
      message: `cannot read \`${join(file, "inner.txt")}\`: a part of the path is not a directory`,
    });
  });

  // /proc files report size 0 and have content: reading past the stat size is the path a file that
  // grows while being read takes, and the bound still holds there.
  it.skipIf(!existsSync("/proc/self/status"))("bounds a file that turns out larger than its stat size", () => {
    const read = readRegularFile("/proc/self/status", { ...SMALL, maxBytes: 1 << 20 });
    expect("bytes" in read && new TextDecoder().decode(read.bytes)).toMatch(/^Name:/);
    expect(problemOf("/proc/self/status", { ...SMALL, maxBytes: 10 })).toEqual({
      code: "too-large",
      message: "`/proc/self/status` grew while cnnc was reading it; cnnc reads test files up to 10 bytes",
      hint: "make it smaller",
    });
  });
});
