// `cnnc profile`: a real run on a small network (every kernel listed once, every layer in one row,
// sorted, shares adding up to 100%), and clear errors for bad options.
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compile.js";
import { buildPlan } from "../../src/pipeline.js";
import { cnnc, tempFile } from "./cliHelpers.js";

const model = tempFile(
  "net.cnn",
  `network Net {
  input x: 4x12x12
  c1 = conv(8, 3, pad=1, bias=false) -> batchnorm as bn1 -> relu
  p1 = maxpool(2)
  c2 = conv(8, 3, pad=1) -> relu
  flat = flatten
  out = fc(10)
}
`,
);

interface Row {
  kernels: string[];
  layers: string[];
  median: number;
  min: number;
  max: number;
  share: number;
}

/** The table's rows: the lines between the header and the first blank line after it. */
function rows(report: string): Row[] {
  const lines = report.split("\n");
  const header = lines.findIndex((line) => /^kernel +layers +program +median ms +\(min\.\.max\) +share$/.test(line));
  if (header < 0) throw new Error(`no table header in:\n${report}`);
  const end = lines.indexOf("", header);
  return lines.slice(header + 1, end).map((line) => {
    const match = /^(\S+(?:, \S+)*) +(\S+) +\S+(?:, \S+)* +([\d.]+) +\(([\d.]+)\.\.([\d.]+)\) +([\d.]+)%$/.exec(line);
    if (match === null) throw new Error(`not a table row: ${line}`);
    return {
      kernels: match[1]!.split(", "),
      layers: match[2]!.split("+"),
      median: Number(match[3]),
      min: Number(match[4]),
      max: Number(match[5]),
      share: Number(match[6]),
    };
  });
}

describe("cnnc profile", () => {
  it("times every kernel once, maps every layer to one row, sorted longest first", async () => {
    const result = await cnnc(["profile", model, "--batch", "2", "--runs", "3", "--seed", "7"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = result.stdout;
    expect(report).toMatch(/^adapter: .+\nNet at batch 2: \d+ kernels, median of 3 runs after 2 warm-up runs\n/);
    const graph = compileFile(model).graph!;
    const plan = buildPlan(graph, 2);
    const table = rows(report);
    expect(table.flatMap((row) => row.kernels).sort()).toEqual(plan.steps.map((step) => step.name).sort());
    // Every layer but the input and the flatten view is in exactly one row; those two are named below.
    const layers = table.flatMap((row) => row.layers);
    expect(new Set(layers).size).toBe(layers.length);
    expect([...layers, "x", "flat"].sort()).toEqual(graph.nodes.map((node) => node.name).sort());
    expect(report).toContain("no kernel (inputs and views, which share their input's buffer): x, flat\n");
    const medians = table.map((row) => row.median);
    expect(medians).toEqual([...medians].sort((a, b) => b - a));
    expect(table.every((row) => row.min <= row.median && row.median <= row.max)).toBe(true);
    // Shares are rounded to 0.1% each.
    expect(Math.abs(table.reduce((sum, row) => sum + row.share, 0) - 100)).toBeLessThanOrEqual(0.05 * table.length + 1e-9);
    expect(report).toMatch(/\ntotal of kernels: [\d.]+ ms per batch of 2 \(median per run\): [\d.]+ images\/s\ntiming: (GPU timestamp queries|per-kernel submissions)/);
  });

  it("profiles the unfused plan with --no-fuse: one row per layer", async () => {
    const result = await cnnc(["profile", model, "--no-fuse", "--runs", "1"]);
    expect(result.code).toBe(0);
    const table = rows(result.stdout);
    const plan = buildPlan(compileFile(model).graph!, 1, { fuse: false });
    // One row per layer with kernels (a conv's im2col and gemm share its row).
    expect(table.length).toBe(new Set(plan.steps.map((step) => step.node)).size);
    expect(table.flatMap((row) => row.kernels).sort()).toEqual(plan.steps.map((step) => step.name).sort());
    expect(table.find((row) => row.layers.includes("bn1"))!.layers).toEqual(["bn1"]);
  });

  it.each([
    [["--runs", "0"], /--runs must be at least 1, got `0`/],
    [["--runs", "ten"], /--runs must be a whole number written in digits/],
    [["--batch", "0"], /--batch must be at least 1/],
    [["--seed", "-1"], /--seed must be at least 0/],
    [["--backend", "metal"], /unknown backend `metal`/],
    [["--schedule", "c9=direct"], /no layer `c9`/],
  ])("rejects %j with a clear error", async (options, message) => {
    const result = await cnnc(["profile", model, ...options]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
  });

  it("reports a model that does not compile", async () => {
    const broken = tempFile("broken.cnn", "network N {\n  input x: 3x8x8\n  c1 = conv(\n}\n");
    const result = await cnnc(["profile", broken]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("broken.cnn");
  });
});
