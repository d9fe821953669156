// README's CLI examples are run as written (in-process, from a directory where `examples/` is the repository's) and must print what
// README shows; its .cnn listings must compile. A change to a message or a number fails here until the
// docs say the same.
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { compileSource } from "../../src/compile.js";
import { runCli } from "../../src/cli/main.js";
import { cliExamples, outputMatches, sourceExamples } from "./docExamples.js";

const ROOT = join(import.meta.dirname, "../..");
const DOCS = ["README.md", "grammar/README.md"];

describe("the matcher", () => {
  it("matches lines exactly, `...` as any lines, the adapter and milliseconds loosely", () => {
    expect(outputMatches(["a", "...", "d"], ["a", "b", "c", "d"])).toBe(true);
    expect(outputMatches(["a", "...", "d"], ["a", "d"])).toBe(true);
    expect(outputMatches(["a", "...", "d"], ["a", "b", "c"])).toBe(false);
    expect(outputMatches(["a"], ["a", "b"])).toBe(false);
    expect(outputMatches(["x (1.5)"], ["x (1x5)"])).toBe(false);
    expect(outputMatches(["adapter: OpenGL ES on llvmpipe"], ["adapter: Vulkan on NVIDIA H200, core mode"])).toBe(true);
    expect(outputMatches(["schedule estimates: calibrated for llvmpipe"], ["schedule estimates: not calibrated for this adapter: ..."])).toBe(true);
    expect(outputMatches(["schedule estimates: calibrated for llvmpipe"], ["candidates (24): model estimate"])).toBe(false);
    expect(outputMatches(["ran N: 3 kernels, 1508 ms (first run)"], ["ran N: 3 kernels, 97 ms (first run)"])).toBe(true);
    expect(outputMatches(["ran N: 3 kernels, 1508 ms (first run)"], ["ran N: 4 kernels, 97 ms (first run)"])).toBe(false);
  });
});

describe("README examples", () => {
  // From a scratch directory holding the examples (a link to them), so that `cnnc build -o DIR` writes
  // there and not into the repository.
  const scratch = mkdtempSync(join(tmpdir(), "cnnc-readme-"));
  symlinkSync(join(ROOT, "examples"), join(scratch, "examples"));
  process.chdir(scratch);
  const examples = DOCS.flatMap((doc) => cliExamples(join(ROOT, doc)).map((example) => ({ doc, ...example })));

  it("README has CLI examples to run", () => {
    expect(examples.filter((example) => example.doc === "README.md").length).toBeGreaterThanOrEqual(4);
  });

  for (const { doc, line, args, expected } of examples) {
    it(`${doc}:${line}: cnnc ${args.join(" ")}`, async () => {
      // stdout and stderr in the order they are written, as a terminal shows them.
      let text = "";
      await runCli(args, { stdout: (chunk) => (text += chunk), stderr: (chunk) => (text += chunk) });
      const printed = text.split("\n");
      while (printed.at(-1) === "") printed.pop();
      if (!outputMatches(expected, printed)) {
        // Shows both in full: the diff says which line to update in the docs.
        expect(printed.join("\n")).toBe(expected.join("\n"));
      }
    });
  }

  for (const doc of DOCS) {
    for (const { line, text, listing } of sourceExamples(join(ROOT, doc))) {
      if (listing !== undefined) {
        it(`${doc}:${line}: the listing of ${listing} is that file`, () => {
          expect(text).toBe(readFileSync(join(ROOT, listing), "utf8"));
        });
        continue;
      }
      it(`${doc}:${line}: the network listed there compiles`, () => {
        const result = compileSource(text, `${doc}:${line}`, { verify: true });
        expect(result.diagnostics).toEqual([]);
        expect(result.graph).toBeDefined();
      });
    }
  }
});
