// A compilation with hundreds of thousands of diagnostics returns every one of them, as data: the
// stages' lists are joined without spreading them into an argument list (which overflowed the stack).
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/compile.js";

describe("a compilation with many diagnostics", () => {
  it("returns 200,000 diagnostics of elaboration", () => {
    const inputs = Array.from({ length: 200_000 }, (_, i) => `  input x${i}: 1\n`).join("");
    const result = compileSource(`network N {\n${inputs}}\n`, "main.cnn");
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.length).toBe(200_000);
    expect(result.diagnostics.filter((d) => d.code === "unused-value").length).toBe(199_999);
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["empty-network"]);
  });

  it("returns 200,000 diagnostics of parsing", () => {
    const result = compileSource("$\n".repeat(200_000), "main.cnn");
    expect(result.diagnostics.length).toBe(200_000);
    expect(result.diagnostics.every((d) => d.code === "lex")).toBe(true);
  });
});
