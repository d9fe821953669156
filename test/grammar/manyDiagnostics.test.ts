// Files with hundreds of thousands of mistakes or items, built here: every diagnostic comes back, each
// located by a binary search in the line index (not a scan of the text from its start), and no list is
// spread into an argument list (which overflows the stack past about 150,000 items).
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../grammar/parse.js";

function timed<T>(run: () => T): { result: T; seconds: number } {
  const started = performance.now();
  const result = run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

describe("many diagnostics and items", () => {
  it("locates 200,000 stray characters, one per line, in linear time", () => {
    const { result, seconds } = timed(() => parseProgram("!\n".repeat(200_000), "net.cnn"));
    expect(result.diagnostics.length).toBe(200_000);
    expect(result.diagnostics.every((d) => d.code === "lex" && d.span.startColumn === 1)).toBe(true);
    expect(result.diagnostics.map((d) => d.span.startLine).slice(-2)).toEqual([199_999, 200_000]);
    expect(seconds).toBeLessThan(10);
  });

  it("locates stray characters after a byte-order mark and on lines ending in \\r\\n", () => {
    const { diagnostics } = parseProgram("\ufeffconst A = 1\r\n  !\r\n\r\n   $$\n", "net.cnn");
    expect(diagnostics.map((d) => [d.span.startOffset, d.span.startLine, d.span.startColumn, d.span.endColumn])).toEqual([
      [15, 2, 3, 3],
      [23, 4, 4, 5],
    ]);
  });

  it("repairs spaced dims whose second part has 300,000 sizes", () => {
    const { diagnostics } = parseProgram(`network N {\n  input x: 3 x3${"x3".repeat(300_000)}\n}\n`, "net.cnn");
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["lex", "dims are written without spaces"]]);
  });

  it("builds 200,000 top-level declarations", () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `const c${i} = ${i}\n`).join("");
    const { diagnostics, program } = parseProgram(text, "net.cnn");
    expect(diagnostics).toEqual([]);
    expect(program.items.length).toBe(200_000);
    expect(program.items.at(-1)).toMatchObject({ kind: "const", name: "c199999" });
  });
});
