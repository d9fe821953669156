// "did you mean" hints in files with thousands of undefined names and thousands of names in scope: one
// budget bounds the comparisons of a whole compilation, so the time stays linear; within it the hints
// name the closest name, past it they say what to write instead.
import { describe, expect, it } from "vitest";
import { compileText, net } from "./compileHelpers.js";

describe("did-you-mean hints", () => {
  it("for 20,000 constants that each use the next one, in linear time", () => {
    const constants = Array.from({ length: 20_000 }, (_, i) => `const c${i} = c${i + 1}\n`).join("");
    const started = performance.now();
    const result = compileText(`${constants}${net("relu")}`);
    const seconds = (performance.now() - started) / 1000;
    expect(result.diagnostics.length).toBe(20_000);
    expect(result.diagnostics.every((d) => d.code === "undefined-name")).toBe(true);
    // Early ones compare with the constants above them; once the budget is spent, hints say what to write.
    expect(result.diagnostics[10]?.hint).toBe("did you mean `c1`?");
    expect(result.diagnostics.at(-1)?.hint).toBe("a constant holds a number, a size like 3x3, a list or a word like same");
    expect(seconds).toBeLessThan(15);
  });

  it("still name the closest of many blocks, and list a few blocks when none is close", () => {
    const blocks = Array.from({ length: 30 }, (_, i) => `block unit${i} {\n  relu\n}\n`).join("");
    const result = compileText(`${blocks}${net("uni7\nfrobnicate")}`);
    expect(result.diagnostics.map((d) => d.hint)).toEqual([
      "did you mean `unit7`?",
      expect.stringMatching(/; blocks are unit0, unit1, unit2, unit3, unit4, unit5, unit6, unit7, unit8, unit9 and 20 more$/),
    ]);
  });
});
