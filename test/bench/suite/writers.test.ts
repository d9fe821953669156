// The suite's Markdown report and SVG chart, from a fixture: every table, the ratios against tfjs, the
// "where cnnc loses" lines computed from the data, and gaps where a time is missing.
import { describe, expect, it } from "vitest";

import { adapterSlug } from "../../../bench/suite/environment.js";
import { markdownReport } from "../../../bench/suite/markdown.js";
import { TUNER_SOURCE } from "../../../bench/suite/schedules.js";
import { svgChart } from "../../../bench/suite/svgChart.js";
import { layerFixture, networkFixture, suiteFixture } from "./fixture.js";

describe("markdown report", () => {
  it("states the environment and has every table with its ratios", () => {
    const report = markdownReport(suiteFixture());
    for (const text of ["Test CPU, 2 cores", "Test adapter (Mesa 22.3.6) (backend opengles)", "@tensorflow/tfjs-core 4.22.0", "Mesa 22.3.6", "`npm run bench`", "2026-11-30T03:00:00.000Z"]) expect(report).toContain(text);
    for (const heading of ["## Summary checks", "## Per-layer schedules", "## Whole networks (inference)", "## Training step", "## Fusion effect"]) expect(report).toContain(heading);
    expect(report).toContain(
      "| VGG 3x3 64->64 @56 | 1 | direct: kernels 40.0 (36.0..48.0), 5.0 GFLOP/s; run 40.5 (36.5..48.6)<br>im2col: kernels 44.0 (39.6..52.8), 4.5 GFLOP/s; run 44.5 (40.1..53.4) | direct | direct | 66.0 (59.4..79.2), 3.0 GFLOP/s | 1.63x |",
    );
    expect(report).toContain("| LeNet5 | 1 | cnnc fused | 750.0 (625.0..833.3) | 1.33 | 11.36x |");
    expect(report).toContain("| LeNet5 | 1 | cnnc fused+tuned | 800.0 (666.7..888.9) | 1.25 | 12.12x |");
    expect(report).toContain(`- tuner: ${TUNER_SOURCE}`);
    expect(report).toContain("| FashionCNN | 64 | 2.30000 / 2.30000 | 1000.0 | 100.0 | 10.00x |");
    expect(report).toContain("| LeNet5 | 1 | 5 / 12 (0.42x) | 293.0 KiB / 390.6 KiB (0.75x) | 19.5 KiB / 58.6 KiB (0.33x) |");
    expect(report).toContain("- **met**: faster than tfjs on every network");
  });

  it("writes where cnnc loses, by how much, from the data", () => {
    const results = suiteFixture();
    results.layers.push(layerFixture("GoogLeNet 1x1", { direct: 30, im2col: 20 }, "im2col", "im2col", 10));
    results.networks.push(networkFixture("ResNet18", 64, 50, 75));
    results.training[0]!.tfjs = { ...results.training[0]!.cnnc, imagesPerSecond: 1500 };
    const report = markdownReport(results);
    expect(report).toContain("- GoogLeNet 1x1 at batch 1: cnnc's best schedule takes 2.05x tfjs's time (20.5 vs 10.0 ms)");
    expect(report).toContain("- ResNet18 at batch 64: cnnc fused runs 50.0 images/s, tfjs 75.0: tfjs is 1.50x faster");
    expect(report).toContain("- FashionCNN at batch 64: tfjs trains 1.50x faster");
    expect(report).toContain("- **not met**: faster than tfjs on every network");
  });

  it("says nowhere when cnnc loses nowhere, and lists parts that failed", () => {
    const results = suiteFixture();
    results.failures.push({ part: "networks", what: "VGG batch 64", error: "out of memory\nstack" });
    const report = markdownReport(results);
    expect(report).toContain("- nowhere among the networks with a valid tfjs time");
    expect(report).toContain("- networks: VGG batch 64: out of memory");
    expect(report).not.toContain("stack");
  });
});

describe("svg chart", () => {
  it("draws one bar per network and configuration with a valid time, and labels a missing one", () => {
    const results = suiteFixture();
    results.networks.push(networkFixture("Odd<Net>", 1, 10, undefined));
    const svg = svgChart(results);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    // 5 bars of data + 2 legend swatches.
    expect(svg.match(/<rect /g)).toHaveLength(7);
    expect(svg).toContain("tfjs-webgpu: no valid time");
    expect(svg).toContain("Odd&lt;Net&gt; @1");
    expect(svg).toContain(">750.0<");
  });
});

describe("adapterSlug", () => {
  it("keeps the adapter's name without its parenthesized details", () => {
    expect(adapterSlug("OpenGL ES on llvmpipe-llvm-15-0-6-256-bits (OpenGL ES 3.2 Mesa 22.3.6), compatibility mode")).toBe("opengl-es-on-llvmpipe-llvm-15-0-6-256-bits");
    expect(adapterSlug("((")).toBe("adapter");
  });
});
