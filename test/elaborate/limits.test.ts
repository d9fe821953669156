// Elaboration's size limits, with inputs built here: passing one is one located error that names the
// limit and what the source would have made, found before expanding the rest (so even a repetition of
// 10^12 layers fails at once), never a silently shortened network; up to the limit everything works.
// The work is bounded too: repeating a block that makes no layers, or blocks calling blocks, takes
// elaboration steps, and no nesting of them runs for long.
import { describe, expect, it } from "vitest";
import type { ConvAttrs } from "../../src/ir/graph.js";
import { MAX_LAYERS } from "../../src/elaborate/graphBuilder.js";
import { MAX_ELABORATION_STEPS } from "../../src/elaborate/sizeLimits.js";
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

describe("the step limit", () => {
  const nothing = "block nothing() {\n  in\n}\n";

  it("rejects nested repetitions of a block that makes no layers at once", () => {
    const { result, seconds } = timed(() => compileText(`${nothing}${net("relu\n[[[nothing()] * 10000] * 10000] * 10000")}`));
    expect(located(result)).toEqual([
      ["elaboration-too-long", 7, 4, "this repetition takes 40,002 x 10,000 = 400,020,000 steps: elaboration may take at most 2,000,000"],
    ]);
    expect(result.diagnostics[0]?.notes?.[1]).toBe("it is repeated 10,000 times by the repetitions around it: 4,000,200,000,000 steps in all");
    expect(result.graph).toBeUndefined();
    expect(seconds).toBeLessThan(5);
  });

  it("stops blocks that call blocks 10^8 times, without any repetition, within a few seconds", () => {
    const blocks = Array.from({ length: 8 }, (_, i) => `block b${i + 1} {\n  ${Array.from({ length: 10 }, () => `b${i}`).join(" -> ")}\n}\n`);
    const { result, seconds } = timed(() => compileText(`block b0 {\n  in\n}\n${blocks.join("")}${net("b8")}`));
    expect(located(result)).toEqual([["elaboration-too-long", 5, 27, "elaboration passes its limit of 2,000,000 steps here"]]);
    expect(result.diagnostics[0]?.notes?.at(-1)).toBe("in block `b8` used as `b81` at main.cnn:30:3");
    expect(seconds).toBeLessThan(20);
  });

  it("counts the expressions a block evaluates in every instance", () => {
    const sum = Array.from({ length: 999 }, () => "1").join(" + ");
    const { result, seconds } = timed(() => compileText(`block heavy() {\n  const K = ${sum}\n  in\n}\n${net("relu\n[[heavy()] * 100] * 100")}`));
    expect(located(result)).toEqual([
      ["elaboration-too-long", 8, 3, "this repetition takes 200,202 x 100 = 20,020,200 steps: elaboration may take at most 2,000,000"],
    ]);
    expect(seconds).toBeLessThan(5);
  });

  it("counts every iteration of a repetition, and the steps before it", () => {
    const statements = Array.from({ length: 60 }, () => "[nothing()] * 10000").join("\n");
    const { result, seconds } = timed(() => compileText(`${nothing}${net(`relu\n${statements}`)}`));
    expect(located(result)).toEqual([["elaboration-too-long", 56, 3, "this repetition takes 4 x 10,000 = 40,000 steps: elaboration may take at most 2,000,000"]]);
    expect(result.diagnostics[0]?.notes?.[0]).toMatch(/^with the 1,960,\d+ steps before it, elaboration would take 2,000,\d+$/);
    expect(seconds).toBeLessThan(20);
  });

  it("leaves room for a network of the largest size written with blocks", () => {
    const { result } = timed(() => compileText(`block unit(filters=4) {\n  conv(filters, 1) -> relu\n}\n${net("[[unit()] * 1000] * 50")}`));
    expect(result.diagnostics).toEqual([]);
    expect(result.graph?.nodes.length).toBe(MAX_LAYERS + 1);
    expect(MAX_ELABORATION_STEPS).toBeGreaterThan(8 * MAX_LAYERS);
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
