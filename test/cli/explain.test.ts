// `cnnc explain`: per layer, its kernel, what fused with it, the schedule and why, and why not.
import { describe, expect, it } from "vitest";
import { PASS_NAMES } from "../../src/pipeline.js";
import { cnnc, tempFile } from "./cliHelpers.js";

const model = tempFile(
  "net.cnn",
  `network Net {
  input x: 8x16x16
  c1 = conv(8, 3, pad=1, bias=false) -> batchnorm as bn1 -> relu
  p1 = maxpool(2)
  c2 = conv(16, 3, pad=1) -> relu
  wide = maxpool(2)
  x2 = c2 -> avgpool(2) -> relu as r2
  add(wide, x2) -> fc(10)
}
`,
);

/** The line of `layer` in the report and the indented lines under it. */
function entry(report: string, layer: string): string {
  const lines = report.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`${layer} `));
  if (start < 0) throw new Error(`no line for ${layer} in:\n${report}`);
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith(" ")) end++;
  return lines.slice(start, end).join("\n");
}

describe("cnnc explain", () => {
  it("says which kernel computes each layer, what fused, the schedule and why, and why not", async () => {
    const result = await cnnc(["explain", model]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = result.stdout;
    expect(report).toMatch(/^Net at batch 1: 12 layers in 6 kernels, \d+ dispatches, \d+ distinct programs\n/);
    expect(report).toMatch(/activations: .* planned, .* as one buffer per value, .* in the summary; parameters .*, scratch /);
    expect(entry(report, "c1")).toMatch(/k0 conv \[c1 \+ bn1 \+ c1\.relu \+ p1\]: its anchor, fused with bn1, c1\.relu, p1\n +schedule direct: it computes a pooled output/);
    expect(entry(report, "bn1")).toMatch(/fused into the epilogue of conv c1/);
    expect(entry(report, "p1")).toMatch(/computed by conv c1's kernel, which stores only the pooled output/);
    // c2's value feeds two pools: it is stored, and each pool says why it did not fuse.
    expect(entry(report, "wide")).toMatch(/not fused \(conv \+ pool\): the value of c2\.relu is also read by another kernel/);
    // A relu after a pool has no conv to ride on: it and the add after it become one elementwise kernel.
    expect(entry(report, "r2")).toMatch(/elementwise \[r2 \+ add1\]: its anchor, fused with add1/);
    expect(entry(report, "add1")).toMatch(/fused into the elementwise kernel of r2/);
  });

  it("says why a lone elementwise layer keeps its own kernel", async () => {
    const lone = tempFile("lone.cnn", "network Lone {\n  input x: 4x8x8\n  maxpool(2) -> sigmoid as s -> fc(3)\n}\n");
    const result = await cnnc(["explain", lone]);
    expect(entry(result.stdout, "s")).toMatch(/a kernel of its own: its input comes from a pool kernel, which takes no epilogue stages/);
  });

  it("--no-fuse: one kernel per layer", async () => {
    const result = await cnnc(["explain", model, "--no-fuse"]);
    expect(result.stdout).toMatch(/^Net at batch 1 \(--no-fuse\): 12 layers in 11 kernels/);
  });

  it("--dump-ir prints the kernel graph after a pass, or after each with `all`", async () => {
    const after = await cnnc(["explain", model, "--dump-ir", "fuse-epilogues"]);
    expect(after.stdout).toMatch(/^kernel graph of Net after fuse-epilogues: \d+ kernels\n/);
    expect(after.stdout).toContain("epilogue: scale_shift(bn1:scale, bn1:shift) -> relu(c1.relu)");
    expect(after.stdout).not.toContain("pooled by");
    const all = await cnnc(["explain", model, "--dump-ir=all"]);
    for (const pass of PASS_NAMES) expect(all.stdout).toContain(`after ${pass}:`);
    expect(all.stdout).toContain("pooled by p1");
  });

  it("refuses an unknown pass name with the closest one", async () => {
    const result = await cnnc(["explain", model, "--dump-ir", "fuse-epilogue"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: --dump-ir: there is no pass `fuse-epilogue`\n.*did you mean `fuse-epilogues`\? the passes are lower-to-kernels, fold-batchnorm/);
  });

  it("reports bad --schedule entries as a user error", async () => {
    const result = await cnnc(["explain", model, "--schedule", "c9=direct"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--schedule: the network has no layer `c9`/);
  });
});
