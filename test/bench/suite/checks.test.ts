// The summary checks, from fixtures: each met or not met, with the numbers that decide it.
import { describe, expect, it } from "vitest";

import { summaryChecks } from "../../../bench/suite/checks.js";
import { layerFixture, networkFixture, suiteFixture } from "./fixture.js";

const check = (results: ReturnType<typeof suiteFixture>, prefix: string) => summaryChecks(results).find((entry) => entry.name.startsWith(prefix))!;

describe("summary checks", () => {
  it("are all met on the fixture, with their numbers", () => {
    const checks = summaryChecks(suiteFixture());
    expect(checks.map((entry) => [entry.name, entry.met])).toEqual([
      ["default within 10% of best on >= 80% of layers (kernel time)", true],
      ["tune within 3% of best on all layers (kernel time)", true],
      ["faster than tfjs on every network", true],
      ["training faster than tfjs", true],
    ]);
    expect(checks[2]!.detail).toContain("LeNet5 @1: 11.36x");
    expect(checks[0]!.detail).toContain("2 of 2");
  });

  it("default: not met when fewer than 80% of layers are within 10% of the best", () => {
    const results = suiteFixture();
    results.layers = [
      layerFixture("a", { direct: 10, im2col: 12 }, "im2col", "direct", 20),
      layerFixture("b", { direct: 10, im2col: 10.5 }, "im2col", "direct", 20),
      layerFixture("c", { direct: 10, im2col: 11 }, "direct", "direct", 20),
      layerFixture("d", { direct: 10, im2col: 11 }, "direct", "direct", 20),
      layerFixture("e", { direct: 10, im2col: 11 }, "direct", "direct", 20),
    ];
    expect(check(results, "default").met).toBe(true); // 4 of 5 = 80%
    results.layers[2] = layerFixture("c", { direct: 12, im2col: 10 }, "direct", "im2col", 20);
    const failed = check(results, "default");
    expect(failed.met).toBe(false);
    expect(failed.detail).toContain("3 of 5");
    expect(failed.detail).toContain("a @1: +20.0%");
  });

  it("tune: not met when one layer's pick is more than 3% off the best, or was not measured", () => {
    const results = suiteFixture();
    results.layers[0] = layerFixture("x", { direct: 100, im2col: 104 }, "direct", "im2col", 200);
    expect(check(results, "tune").met).toBe(false);
    results.layers[0] = layerFixture("x", { direct: 100 }, "direct", "winograd", 200);
    expect(check(results, "tune").detail).toContain("winograd not measured");
  });

  it("compare schedules by their kernels' time, not the run's", () => {
    const results = suiteFixture();
    const layer = layerFixture("x", { direct: 100, im2col: 104 }, "direct", "im2col", 200);
    // The runs say im2col is as fast as direct; the kernels say it is 4% slower.
    layer.schedules[1]!.medianMs = layer.schedules[0]!.medianMs;
    results.layers = [layer];
    expect(check(results, "tune").met).toBe(false);
    expect(check(results, "tune").detail).toContain("x @1: +4.0%");
  });

  it("a schedule whose output disagrees never counts as the best", () => {
    const results = suiteFixture();
    const layer = layerFixture("x", { direct: 100, im2col: 50 }, "direct", "direct", 200);
    layer.schedules[1]!.agrees = false;
    results.layers = [layer];
    expect(check(results, "default").met).toBe(true);
  });

  it("networks: not met when tfjs is faster on one, or has no valid time", () => {
    const results = suiteFixture();
    results.networks.push(networkFixture("ResNet18", 64, 50, 60));
    expect(check(results, "faster than tfjs").met).toBe(false);
    expect(check(results, "faster than tfjs").detail).toContain("ResNet18 @64: 0.83x");
    results.networks[2] = networkFixture("ResNet18", 64, 50, undefined);
    expect(check(results, "faster than tfjs").met).toBe(false);
    expect(check(results, "faster than tfjs").detail).toContain("tfjs has no valid time");
  });

  it("training: not met when tfjs trains faster or nothing was measured", () => {
    const results = suiteFixture();
    results.training[0]!.tfjs = { ...results.training[0]!.cnnc, imagesPerSecond: 2000 };
    expect(check(results, "training").met).toBe(false);
    results.training = [];
    expect(check(results, "training")).toMatchObject({ met: false, detail: "no training measured" });
  });
});
