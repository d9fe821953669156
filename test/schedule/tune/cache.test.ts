// The tuning cache: where it lives, a round trip, merging with what another process saved, other
// adapters' entries kept but not used, and every kind of damage (garbage, truncated JSON, another
// version, a directory in its place) ignored with a warning, then rewritten as a valid cache.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { failingWrites } from "../../support/failingWrites.js";
import { TUNE_CACHE_VERSION, TuneCache, tuneCachePath } from "../../../src/schedule/tune/cache.js";

const dir = fs.mkdtempSync(join(tmpdir(), "cnnc-tune-cache-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(dir, `case${fileCount++}`, "tune-cache.json");

const NOW = new Date("2026-11-30T03:00:00.000Z");
const measured = (kind: string, medianMs: number) => ({
  schedule: { kind, tile: 16 },
  medianMs,
  candidates: [
    { scheduleText: `${kind} tile=16`, medianMs },
    { scheduleText: "direct", medianMs: medianMs * 2 },
  ],
});

function load(path: string): { cache: TuneCache; warnings: string[] } {
  const warnings: string[] = [];
  const cache = TuneCache.load(path, { warn: (line) => warnings.push(line), cnncVersion: "9.9.9", now: () => NOW });
  return { cache, warnings };
}

describe("tuneCachePath", () => {
  it("prefers the option, then CNNC_TUNE_CACHE, then $XDG_CACHE_HOME, then ~/.cache", () => {
    const env = { CNNC_TUNE_CACHE: "/env/cache.json", XDG_CACHE_HOME: "/xdg" };
    expect(tuneCachePath("/opt/c.json", env, "/home/u")).toBe("/opt/c.json");
    expect(tuneCachePath(undefined, env, "/home/u")).toBe("/env/cache.json");
    expect(tuneCachePath(undefined, { XDG_CACHE_HOME: "/xdg" }, "/home/u")).toBe("/xdg/cnnc/tune-cache.json");
    expect(tuneCachePath(undefined, {}, "/home/u")).toBe("/home/u/.cache/cnnc/tune-cache.json");
    // The XDG spec says a relative $XDG_CACHE_HOME is to be ignored; empty variables count as unset.
    expect(tuneCachePath(undefined, { XDG_CACHE_HOME: "rel", CNNC_TUNE_CACHE: "" }, "/home/u")).toBe("/home/u/.cache/cnnc/tune-cache.json");
  });
});

describe("TuneCache", () => {
  it("is empty without a file, and a save creates the directory and round-trips the entries", () => {
    const path = freshPath();
    const { cache, warnings } = load(path);
    expect(warnings).toEqual([]);
    expect(cache.lookup("gpu-a", "k1")).toBeUndefined();
    cache.record("gpu-a", "k1", measured("im2col", 0.5));
    expect(cache.lookup("gpu-a", "k1")?.schedule).toEqual({ kind: "im2col", tile: 16 });
    cache.save();
    const again = load(path);
    expect(again.warnings).toEqual([]);
    expect(again.cache.lookup("gpu-a", "k1")).toEqual({ ...measured("im2col", 0.5), tunedAt: NOW.toISOString(), cnncVersion: "9.9.9" });
    const json = JSON.parse(fs.readFileSync(path, "utf8")) as { format: string; version: number };
    expect([json.format, json.version]).toEqual(["cnnc-tune-cache", TUNE_CACHE_VERSION]);
  });

  it("keeps another adapter's entries in the file but never returns them for this adapter", () => {
    const path = freshPath();
    const first = load(path).cache;
    first.record("gpu-b", "k1", measured("winograd", 0.1));
    first.save();
    const second = load(path).cache;
    expect(second.lookup("gpu-a", "k1")).toBeUndefined();
    second.record("gpu-a", "k1", measured("direct", 0.3));
    second.save();
    const third = load(path).cache;
    expect(third.lookup("gpu-b", "k1")?.schedule.kind).toBe("winograd");
    expect(third.lookup("gpu-a", "k1")?.schedule.kind).toBe("direct");
  });

  it("merges on save with what another process saved since loading (last writer wins per entry)", () => {
    const path = freshPath();
    const mine = load(path).cache;
    const theirs = load(path).cache;
    theirs.record("gpu-a", "k2", measured("gemm", 0.2));
    theirs.record("gpu-a", "k1", measured("direct", 0.9));
    theirs.save();
    mine.record("gpu-a", "k1", measured("im2col", 0.4));
    mine.save();
    const merged = load(path).cache;
    expect(merged.lookup("gpu-a", "k2")?.schedule.kind).toBe("gemm");
    expect(merged.lookup("gpu-a", "k1")?.schedule.kind).toBe("im2col");
  });

  const damaged: [string, (path: string) => void, RegExp][] = [
    ["garbage", (path) => fs.writeFileSync(path, "\x00\xffnot json at all"), /is not valid JSON/],
    ["truncated JSON", (path) => fs.writeFileSync(path, '{"format": "cnnc-tune-cache", "version": 1, "entries": {"gpu-a": {'), /is not valid JSON/],
    ["another version", (path) => fs.writeFileSync(path, JSON.stringify({ format: "cnnc-tune-cache", version: 99, entries: {} })), /has version 99, this cnnc reads version 1/],
    ["another kind of JSON", (path) => fs.writeFileSync(path, "[1, 2, 3]"), /is not a cnnc tuning cache/],
    [
      "a malformed entry",
      (path) => fs.writeFileSync(path, JSON.stringify({ format: "cnnc-tune-cache", version: 1, entries: { "gpu-a": { k1: { schedule: { kind: "direct" }, medianMs: "fast" } } } })),
      /has a malformed entry for adapter "gpu-a"/,
    ],
    ["an empty directory in its place", (path) => fs.mkdirSync(path), /is a directory/],
  ];
  for (const [what, damage, message] of damaged) {
    it(`ignores ${what} with a warning naming the file, then rewrites it as a valid cache`, () => {
      const path = freshPath();
      fs.mkdirSync(join(path, ".."), { recursive: true });
      damage(path);
      const { cache, warnings } = load(path);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(message);
      expect(warnings[0]).toContain(path);
      expect(warnings[0]).toMatch(/it is ignored and will be rewritten$/);
      expect(cache.lookup("gpu-a", "k1")).toBeUndefined();
      cache.record("gpu-a", "k1", measured("im2col", 0.5));
      cache.save();
      const again = load(path);
      expect(again.warnings).toEqual([]);
      expect(again.cache.lookup("gpu-a", "k1")?.schedule.kind).toBe("im2col");
    });
  }

  it("writes atomically: no temporary file is left, and a write failing half-way keeps the old file whole", () => {
    const path = freshPath();
    const first = load(path).cache;
    first.record("gpu-a", "k1", measured("im2col", 0.5));
    first.save();
    const before = fs.readFileSync(path, "utf8");
    expect(fs.readdirSync(join(path, ".."))).toEqual(["tune-cache.json"]);
    const fullAfter50Bytes = failingWrites("ENOSPC", 50);
    const failing = TuneCache.load(path, { warn: () => undefined, cnncVersion: "9.9.9", fileSystem: fullAfter50Bytes });
    failing.record("gpu-a", "k2", measured("direct", 0.7));
    expect(() => failing.save()).toThrow(`cannot write \`${path}\`: the device is full`);
    expect(fs.readFileSync(path, "utf8")).toBe(before);
    expect(fs.readdirSync(join(path, ".."))).toEqual(["tune-cache.json"]);
  });

  it("refuses to save over a directory that is not empty, as a user error naming the path", () => {
    const path = freshPath();
    fs.mkdirSync(join(path, "inside"), { recursive: true });
    const { cache, warnings } = load(path);
    expect(warnings[0]).toMatch(/is a directory/);
    cache.record("gpu-a", "k1", measured("im2col", 0.5));
    expect(() => cache.save()).toThrow(/cannot write the tuning cache .* it is a directory/);
  });
});
