/// <reference types="@webgpu/types" />
// Steady-state GPU time of the training-mode batchnorm and loss kernels (src/codegen/training/) at the
// sizes of FashionCNN's training step at batch 64: batchnorm over 16 x 28 x 28 and 32 x 14 x 14 with
// a fused relu, forward and backward, and cross-entropy over 10 classes. Each configuration's kernels
// are encoded REPEATS times into one submission (after a warm-up submission, which JIT-compiles them)
// and the median over ROUNDS submissions is reported per pass, with the elements per second.
//
//   npx tsx bench/trainingNormLoss.ts [--per-kernel]   (prints a table; writes bench/results/training-norm-loss.json)
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createCheckedShaderModule, openDevice } from "../runtime/device.js";
import { batchnormTrainBackward, batchnormTrainForward } from "../src/codegen/training/batchnormTraining.js";
import { softmaxCrossEntropy } from "../src/codegen/training/losses.js";
import type { TrainingKernels } from "../src/codegen/training/trainingKernel.js";

const BATCH = 64;
const REPEATS = 10;
const ROUNDS = 5;
const RESULT_PATH = "bench/results/training-norm-loss.json";

interface Configuration {
  name: string;
  generated: TrainingKernels;
  /** Elements of every bound operand that is not scratch. */
  sizes: Record<string, number>;
  /** Elements the pass normalizes or differentiates (for the rate). */
  elements: number;
}

function batchnormConfigurations(channels: number, inner: number): Configuration[] {
  const elements = BATCH * channels * inner;
  const shape = { batch: BATCH, channels, inner, activation: { op: "relu" as const } };
  const perChannel = { weight: channels, bias: channels, running_mean: channels, running_var: channels, saved: 2 * channels, dweight: channels, dbias: channels };
  const sizes = { ...perChannel, x: elements, y: elements, dy: elements, dx: elements };
  return [
    { name: `batchnorm forward ${channels}x${inner} + relu`, generated: batchnormTrainForward({ ...shape, eps: 1e-5, momentum: 0.1 }), sizes, elements },
    { name: `batchnorm backward ${channels}x${inner} + relu`, generated: batchnormTrainBackward(shape), sizes, elements },
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeConfiguration(device: GPUDevice, configuration: Configuration): Promise<number> {
  const buffers = new Map<string, GPUBuffer>();
  const bufferOf = (name: string, elements: number): GPUBuffer => {
    let buffer = buffers.get(name);
    if (buffer === undefined) {
      buffer = device.createBuffer({ size: Math.max(4, elements * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      // Values of 0.5 everywhere (labels 0.5 read as u32 bits are past the classes: NaN, still timed).
      device.queue.writeBuffer(buffer, 0, new Float32Array(elements).fill(0.5));
      buffers.set(name, buffer);
    }
    return buffer;
  };
  const scratch = new Map(configuration.generated.scratch.map(({ name, bytes }) => [name, bytes / 4]));
  const dispatches: { pipeline: GPUComputePipeline; group: GPUBindGroup; workgroups: [number, number, number] }[] = [];
  for (const kernel of configuration.generated.kernels) {
    const module = await createCheckedShaderModule(device, kernel.wgsl, kernel.kernel);
    const layout = device.createBindGroupLayout({
      entries: kernel.bindings.map((binding, index) => ({
        binding: index,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: binding.access === "read" ? ("read-only-storage" as const) : ("storage" as const) },
      })),
    });
    const pipeline = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: "main" } });
    const entries = kernel.bindings.map((binding, index) => {
      const elements = scratch.get(binding.name) ?? configuration.sizes[binding.name];
      if (elements === undefined) throw new Error(`bench: no size for ${binding.name}`);
      return { binding: index, resource: { buffer: bufferOf(binding.name, elements) } };
    });
    dispatches.push({ pipeline, group: device.createBindGroup({ layout, entries }), workgroups: kernel.workgroups });
  }
  const submit = async (repeats: number): Promise<number> => {
    const encoder = device.createCommandEncoder();
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const { pipeline, group, workgroups } of dispatches) {
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(...workgroups);
        pass.end();
      }
    }
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };
  await submit(1);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) times.push((await submit(REPEATS)) / REPEATS);
  for (const buffer of buffers.values()) buffer.destroy();
  return median(times);
}

const gpu = await openDevice();
const configurations: Configuration[] = [
  ...batchnormConfigurations(16, 28 * 28),
  ...batchnormConfigurations(32, 14 * 14),
  {
    name: "softmax cross-entropy 10 classes",
    generated: softmaxCrossEntropy({ batch: BATCH, classes: 10 }),
    sizes: { logits: BATCH * 10, labels: BATCH, hyper: 8, metrics: 4, dlogits: BATCH * 10 },
    elements: BATCH * 10,
  },
];
const results = [];
// The machine is shared: the load average says how far the figures are from an idle machine's.
const loadAverage = loadavg()[0]!;
console.log(`${gpu.description}, batch ${BATCH}, load average ${loadAverage.toFixed(1)}`);
// --per-kernel: each kernel of a configuration timed alone (on the same inputs).
const timed = process.argv.includes("--per-kernel")
  ? configurations.flatMap((each) => each.generated.kernels.map((kernel) => ({ ...each, name: `  ${kernel.kernel}`, generated: { kernels: [kernel], scratch: each.generated.scratch } })))
  : configurations;
for (const configuration of timed) {
  const ms = await timeConfiguration(gpu.device, configuration);
  const rate = configuration.elements / (ms / 1000);
  console.log(`${configuration.name.padEnd(40)} ${ms.toFixed(2).padStart(8)} ms   ${(rate / 1e6).toFixed(1).padStart(7)} M elements/s`);
  results.push({ name: configuration.name, kernels: configuration.generated.kernels.length, ms, elementsPerSecond: rate });
}
gpu.destroy();
mkdirSync("bench/results", { recursive: true });
writeFileSync(RESULT_PATH, `${JSON.stringify({ device: gpu.description, batch: BATCH, loadAverage, results }, null, 2)}\n`);
