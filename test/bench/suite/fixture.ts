// A small SuiteResults with made-up numbers, for the writers and the summary checks: two layers, two
// networks, one training comparison and one fusion row. Each test changes what it needs.
import type { LayerResult } from "../../../bench/suite/layers.js";
import type { NetworkResult } from "../../../bench/suite/networks.js";
import type { SuiteResults } from "../../../bench/suite/results.js";
import { TUNER_SOURCE } from "../../../bench/suite/schedules.js";

const spread = (medianMs: number) => ({ medianMs, minMs: medianMs * 0.9, maxMs: medianMs * 1.2, runs: 5 });

export function layerFixture(name: string, times: Record<string, number>, model: string, tuner: string, tfjsMs: number | undefined): LayerResult {
  return {
    name,
    conv: "conv(64, 3, pad=1)",
    input: [64, 56, 56],
    batch: 1,
    flops: 2e8,
    // `times` are the kernels' times; a run adds an upload and a read-back of 0.5 ms.
    schedules: Object.entries(times).map(([label, ms]) => ({
      label,
      ...spread(ms + 0.5),
      gflops: 2e8 / (ms + 0.5) / 1e6,
      kernel: { ...spread(ms), gflops: 2e8 / ms / 1e6 },
      agrees: true,
    })),
    model: { label: model, reason: "the cost model's pick", schedule: { kind: model } },
    tuner: { label: tuner, reason: "tuned", schedule: { kind: tuner } },
    tfjs: tfjsMs === undefined ? { agrees: false, note: "tfjs cannot run it: test" } : { agrees: true, maxAbsError: 1e-6, time: { ...spread(tfjsMs), gflops: 2e8 / tfjsMs / 1e6 } },
  };
}

export function networkFixture(network: string, batch: number, cnncImagesPerSecond: number, tfjsImagesPerSecond: number | undefined): NetworkResult {
  const timed = (imagesPerSecond: number) => ({ ...spread((batch * 1000) / imagesPerSecond), imagesPerSecond });
  return {
    network,
    file: `${network}.cnn`,
    batch,
    configurations: [
      { name: "cnnc fused", time: timed(cnncImagesPerSecond), maxAbsErrorVsFused: 0 },
      { name: "cnnc fused+tuned", time: timed((cnncImagesPerSecond * 16) / 15), maxAbsErrorVsFused: 0 },
      { name: "cnnc --no-fuse", time: timed(cnncImagesPerSecond / 2), maxAbsErrorVsFused: 1e-7 },
      tfjsImagesPerSecond === undefined ? { name: "tfjs-webgpu", note: "tfjs cannot run Net: layer p (pool): tfjs has no L2 (power-average) pooling" } : { name: "tfjs-webgpu", time: timed(tfjsImagesPerSecond), maxAbsErrorVsFused: 1e-6 },
    ],
  };
}

export function suiteFixture(): SuiteResults {
  return {
    environment: {
      date: "2026-11-30T03:00:00.000Z",
      command: "npm run bench",
      machine: { cpu: "Test CPU", cores: 2, memoryGiB: 8, loadAverage: [1, 1, 1] },
      adapter: "Test adapter (Mesa 22.3.6)",
      backend: "opengles",
      driverEnvironment: "LP_NUM_THREADS=4",
      versions: { node: "v20.0.0", cnnc: "0.1.0", tfjs: "4.22.0", tfjsWebgpu: "4.22.0", webgpu: "0.6.2", mesa: "22.3.6" },
      timing: "test timing",
      tolerance: "test tolerance",
      tuner: TUNER_SOURCE,
    },
    quick: false,
    rounds: 5,
    wallSeconds: 100,
    layers: [layerFixture("VGG 3x3 64->64 @56", { direct: 40, im2col: 44 }, "direct", "direct", 66), layerFixture("LeNet-5 C1", { direct: 1, im2col: 0.95 }, "direct", "im2col", 8)],
    networks: [networkFixture("LeNet5", 1, 750, 66), networkFixture("FashionCNN", 64, 2000, 1000)],
    training: [
      {
        network: "FashionCNN",
        file: "examples/fashion_cnn.cnn",
        batch: 64,
        stepsPerSample: 5,
        firstLoss: { cnnc: 2.3, tfjs: 2.3, agrees: true },
        cnnc: { ...spread(64), imagesPerSecond: 1000 },
        tfjs: { ...spread(640), imagesPerSecond: 100 },
      },
    ],
    fusion: [{ network: "LeNet5", batch: 1, fused: { kernels: 5, readBytesPerImage: 300_000, writtenBytesPerImage: 20_000 }, unfused: { kernels: 12, readBytesPerImage: 400_000, writtenBytesPerImage: 60_000 } }],
    failures: [],
  };
}
