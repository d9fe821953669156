// `cnnc build MODEL.cnn -o DIR` in-process: the files it writes, byte-identical on a rebuild, and
// what it refuses (a directory of the user's, a file) without touching anything.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { loadPlanDirectory } from "../../src/planFile/loadPlanDirectory.js";
import { TINY_MODEL } from "../planFile/planFixture.js";
import { cnnc } from "./cliHelpers.js";

const root = mkdtempSync(join(tmpdir(), "cnnc-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, "tiny.cnn");
writeFileSync(model, TINY_MODEL);

/** Every file under `dir` with its text, by relative path. */
function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), readFileSync(path, "utf8"));
  }
  return files;
}

describe("cnnc build", () => {
  it("writes kernels/*.wgsl, plan.json and README.txt, and says so", async () => {
    const dir = join(root, "nested", "out");
    const result = await cnnc(["build", model, "-o", dir, "--batch", "3"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const plan = loadPlanDirectory(dir);
    expect(plan.batch).toBe(3);
    expect(result.stdout).toContain(`built Tiny at batch 3: ${plan.steps.length} kernels running ${plan.programs.length} programs`);
    expect(result.stdout).toContain(`wrote ${join(dir, "plan.json")}\n`);
    expect(result.stdout).toContain(`wrote ${join(dir, "README.txt")}\n`);
    expect(result.stdout).toContain(`wrote ${plan.programs.length} kernel files in ${join(dir, "kernels")}\n`);
    expect(readdirSync(join(dir, "kernels")).sort()).toEqual(plan.programs.map((program) => `${program.key}.wgsl`).sort());
    const readme = readFileSync(join(dir, "README.txt"), "utf8");
    expect(readme).toContain("Tiny, built by cnnc from tiny.cnn");
    expect(readme).toContain("batch:     3");
    expect(readme).toContain(`kernels:   ${plan.steps.length} dispatches running ${plan.programs.length} programs`);
    expect(readme).toContain("cnnc run DIR --random-input");
  });

  it("writes byte-identical files when built again, in place or elsewhere", async () => {
    const first = join(root, "first");
    const second = join(root, "second");
    expect((await cnnc(["build", model, "-o", first])).code).toBe(0);
    const before = filesOf(first);
    expect((await cnnc(["build", model, "-o", first])).code).toBe(0);
    expect((await cnnc(["build", model, "-o", second])).code).toBe(0);
    expect(filesOf(first)).toEqual(before);
    expect(filesOf(second)).toEqual(before);
  });

  it("replaces an earlier build, removing kernel files the new plan does not list and nothing else", async () => {
    const dir = join(root, "again");
    expect((await cnnc(["build", model, "-o", dir])).code).toBe(0);
    writeFileSync(join(dir, "kernels", "old.kernel.wgsl"), "// from an earlier build\n");
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const result = await cnnc(["build", model, "-o", dir, "--batch", "2"]);
    expect(result.code).toBe(0);
    // Shapes are baked into the kernels, so a new batch replaces the previous build's kernels too.
    expect(result.stdout).toMatch(/removed \d+ kernel files of the previous build: .*old\.kernel\.wgsl/);
    expect(result.stdout).toContain(join(dir, "kernels", "old.kernel.wgsl"));
    expect(existsSync(join(dir, "kernels", "old.kernel.wgsl"))).toBe(false);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
    expect(loadPlanDirectory(dir).batch).toBe(2);
  });

  it("rebuilds a plan of another format version in place", async () => {
    const dir = join(root, "old-version");
    mkdirSync(dir);
    writeFileSync(join(dir, "plan.json"), '{ "format": "cnnc-plan", "version": 0 }\n');
    expect((await cnnc(["build", model, "-o", dir])).code).toBe(0);
    expect(loadPlanDirectory(dir).network).toBe("Tiny");
  });

  it("refuses a non-empty directory that is not a build, leaving it as it was", async () => {
    const dir = join(root, "mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "thesis.tex"), "\\documentclass{article}\n");
    writeFileSync(join(dir, "plan.json"), '{ "mine": true }\n');
    const result = await cnnc(["build", model, "-o", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: -o \`${dir}\` is not empty and is not a directory \`cnnc build\` wrote (it has no cnnc plan.json); nothing was written\n` +
        "  = help: give a new or empty directory, or the directory of an earlier build to replace it\n",
    );
    expect(filesOf(dir)).toEqual(new Map([["thesis.tex", "\\documentclass{article}\n"], ["plan.json", '{ "mine": true }\n']]));
  });

  it("refuses a file as -o, and requires -o", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const result = await cnnc(["build", model, "-o", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: -o \`${file}\` is a file, not a directory`);
    const missing = await cnnc(["build", model]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '-o, --output <dir>' not specified");
  });

  it("reports a model that does not compile, writing nothing", async () => {
    const broken = join(root, "broken.cnn");
    writeFileSync(broken, "network Broken {\n  input x: 3x8x8\n  conv(4, 3) -> nosuch\n}\n");
    const dir = join(root, "not-written");
    const result = await cnnc(["build", broken, "-o", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nosuch");
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a bad --batch before compiling", async () => {
    const result = await cnnc(["build", model, "-o", join(root, "zero"), "--batch", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: --batch must be at least 1, got `0`");
  });
});
