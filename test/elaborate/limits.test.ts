// Elaboration's size limits, with inputs built here: passing one is one located error that names the
// limit and what the source would have made, found before expanding the rest (so even a repetition of
// 10^12 layers fails at once), never a silently shortened network; up to the limit everything works.
import { describe, expect, it } from "vitest";
import type { ConvAttrs } from "../../src/ir/graph.js";
import { MAX_LAYERS } from "../../src/elaborate/graphBuilder.js";
import { compileText, net } from "./compileHelpers.js";

function timed<T>(run: () => T): { result: T; seconds: number } {
  const started = performance.now();
  const result = run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

const located = (result: ReturnType<typeof compileText>) => result.diagnostics.map((d) => [d.code, d.span.startLine, d.span.startColumn, d.message]);

describe("the layer limit", () => {
  it("rejects nested repetitions of 10^12 layers at once", () => {
    const { result, seconds } = timed(() => compileText(net("[[[[relu] * 1000] * 1000] * 1000] * 1000")));
    expect(located(result)).toEqual([["network-too-large", 3, 5, "this repetition makes 1,000 x 1,000 = 1,000,000 layers: a network may have at most 100,000"]]);
    expect(result.diagnostics[0]?.notes).toEqual(["it is repeated 1,000 x 1,000 times by the repetitions around it: 1,000,000,000,000 layers in all"]);
    expect(result.graph).toBeUndefined();
    expect(seconds).toBeLessThan(5);
  });

  it("counts a repeated block's layers", () => {
    const result = compileText(`block unit {\n  conv(4, 1) -> [relu] * 19\n}\n${net("[unit] * 5001")}`);
    expect(located(result)).toEqual([["network-too-large", 6, 3, "this repetition makes 20 x 5,001 = 100,020 layers: a network may have at most 100,000"]]);
  });

  it("stops repeating a body whose first iteration has errors", () => {
    const { result, seconds } = timed(() => compileText(net("[[[[cnv(4)] * 1000] * 1000] * 1000] * 1000")));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["unknown-layer"]);
    expect(seconds).toBeLessThan(5);
  });

  it("compiles a network of exactly the largest size", () => {
    const { result } = timed(() => compileText(net("[[relu] * 1000] * 100")));
    expect(result.diagnostics).toEqual([]);
    expect(result.graph?.nodes.length).toBe(MAX_LAYERS + 1);
  });

  it("rejects a chain one layer longer, at its last step", () => {
    const steps = Array.from({ length: MAX_LAYERS + 1 }, () => "relu").join(" -> ");
    const { result, seconds } = timed(() => compileText(net(`a = x -> ${steps}`)));
    const column = `  a = x -> ${steps}`.length - 3;
    expect(located(result)).toEqual([["network-too-large", 3, column, "this would be layer 100,001: a network may have at most 100,000 layers"]]);
    expect(seconds).toBeLessThan(30);
  });

  it("compiles a chain of thousands of steps, each named after the statement", () => {
    const { result, seconds } = timed(() => compileText(net(`a = x${" -> relu".repeat(5000)}`)));
    expect(result.diagnostics).toEqual([]);
    expect(result.graph?.nodes.at(-1)?.name).toBe("a.relu_4998");
    expect(seconds).toBeLessThan(10);
  });
});

describe("deep nesting of blocks with large expressions", () => {
  it("evaluates a 1,000-term expression inside 60 nested block instances", () => {
    const blocks = Array.from({ length: 60 }, (_, i) => `block b${i}(k) {\n  b${i + 1}(k)\n}\n`).join("");
    const sum = Array.from({ length: 999 }, () => "1").join(" + ");
    const result = compileText(`${blocks}block b60(k) {\n  conv(k + ${sum}, 1)\n}\n${net("b0(1)")}`);
    expect(result.diagnostics).toEqual([]);
    expect((result.graph?.nodes[1]?.attrs as ConvAttrs).outChannels).toBe(1000);
  });
});
