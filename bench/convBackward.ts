// GPU time of the conv backward kernels (src/codegen/training/convBackward.ts) at the FashionCNN
// training shapes (batch 64: conv 1 -> 16 on 28x28 and 16 -> 32 on 14x14, 3x3 pad 1), per schedule of
// the backward kinds (src/schedule/kinds/dataGemm.ts, filterGemm.ts): the kind's default, then each
// knob moved alone through its knob space (the others at the default), illegal knobs skipped with
// their reason. Every generator's kernels are dispatched in one pass, submitted and awaited; after
// warm-up runs, the median of RUNS runs, and GFLOP/s counting 2 flops per multiply-add of the gradient
// (for dbias, 1 per addition).
//
//   npx tsx bench/convBackward.ts          (npm run bench:conv-backward)
//       writes bench/results/conv-backward.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { convBackwardBias, convBackwardData, convBackwardFilter, specGeometry, type ConvGradientSpec } from "../src/codegen/training/convBackward.js";
import type { TrainingKernels } from "../src/codegen/training/trainingKernel.js";
import { compileSource } from "../src/compile.js";
import { buildPlan } from "../src/pipeline.js";
import type { Schedule } from "../src/ir/graph.js";
import { convShapeOfGeometry } from "../src/schedule/workloadOf.js";
import { dataGemmKind, dataGemmScheduleOf } from "../src/schedule/kinds/dataGemm.js";
import { filterGemmKind, filterGemmScheduleOf } from "../src/schedule/kinds/filterGemm.js";
import { PORTABLE_TARGET, type ScheduleKindDefinition, type Workload } from "../src/schedule/types.js";
import { openDevice, type GpuContext } from "../runtime/device.js";
import { median } from "../runtime/profile.js";

process.env.EGL_PLATFORM ??= "surfaceless";

const RESULT_PATH = "bench/results/conv-backward.json";
const WARM_UP_RUNS = 3;
const RUNS = 15;

function convSpec(C: number, K: number, size: number): ConvGradientSpec {
  return {
    batch: 64,
    attrs: { op: "conv", spatialRank: 2, outChannels: K, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: { top: 1, bottom: 1, left: 1, right: 1 }, paddingMode: "zeros", groups: 1, bias: true },
    inputShape: [C, size, size],
    outputShape: [K, size, size],
  };
}

const CONVS = [
  { name: "conv 1 -> 16, 28x28", spec: convSpec(1, 16, 28) },
  { name: "conv 16 -> 32, 14x14", spec: convSpec(16, 32, 14) },
];
/**
 * The kind's default on `workload`, then each knob moved alone through its space, then `extra` knob
 * settings over the default; illegal ones with their reason.
 */
function candidates(definition: ScheduleKindDefinition, workload: Workload, extra: Record<string, number>[] = []): { schedule: Schedule; illegal: string | undefined }[] {
  const base = definition.defaultSchedule(workload, PORTABLE_TARGET);
  const schedules = [base, ...extra.map((knobs) => ({ ...base, ...knobs }))];
  for (const [knob, values] of Object.entries(definition.knobs)) {
    for (const value of values) if (value !== base[knob]) schedules.push({ ...base, [knob]: value });
  }
  return schedules.map((schedule) => ({ schedule, illegal: definition.illegalKnobs(workload, PORTABLE_TARGET, schedule) }));
}

function knobText(schedule: Schedule): string {
  return Object.entries(schedule)
    .filter(([knob]) => knob !== "kind")
    .map(([knob, value]) => `${knob}=${String(value)}`)
    .join(" ");
}

interface Row {
  conv: string;
  generator: string;
  /** The schedule kind (or `-` for the forward plan and the bias sum) and its knobs. */
  kind: string;
  tile: string;
  /** Whether it is the kind's default (what choose-schedules sets). */
  isDefault: boolean;
  kernels: string[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  gflops: number;
}

/** Kernels to time, each binding naming a buffer of `sizes` (bytes by name). */
interface BenchKernels {
  kernels: { wgsl: string; workgroups: [number, number, number]; buffers: string[] }[];
  sizes: ReadonlyMap<string, number>;
}

/** A backward generator's kernels: operands sized by `operandBytes`, scratch by the generator. */
function generatorKernels(generated: TrainingKernels, operandBytes: ReadonlyMap<string, number>): BenchKernels {
  const sizes = new Map(operandBytes);
  for (const { name, bytes } of generated.scratch) sizes.set(name, bytes);
  return { kernels: generated.kernels.map((kernel) => ({ wgsl: kernel.wgsl, workgroups: kernel.workgroups, buffers: kernel.bindings.map((binding) => binding.name) })), sizes };
}

/** The forward conv's kernels as the inference compiler plans them (the speed to compare with). */
function forwardKernels(spec: ConvGradientSpec): BenchKernels {
  const [C, H, W] = spec.inputShape;
  const source = `network ForwardConv {\n  input x: ${C}x${H}x${W}\n  conv(${spec.attrs.outChannels}, ${spec.attrs.kernel[0]}, pad=${spec.attrs.padding.top}) as conv\n}\n`;
  const { graph } = compileSource(source, "forward_conv.cnn");
  if (graph === undefined) throw new Error(`the forward conv does not compile:\n${source}`);
  const plan = buildPlan(graph, spec.batch);
  return {
    kernels: plan.steps.map((step) => ({ wgsl: step.wgsl, workgroups: step.workgroups, buffers: step.bindings.map((binding) => String(binding.buffer)) })),
    sizes: new Map(plan.buffers.map((buffer) => [String(buffer.id), buffer.bytes])),
  };
}

/** Buffers (random contents) and pipelines for `bench`, and a function timing one submission of all its kernels. */
async function prepare(gpu: GpuContext, bench: BenchKernels): Promise<{ run: () => Promise<number>; destroy: () => void }> {
  const { device } = gpu;
  const buffers = new Map<string, GPUBuffer>();
  for (const [name, bytes] of bench.sizes) {
    const buffer = device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, Float32Array.from({ length: Math.max(1, bytes / 4) }, () => Math.random() * 2 - 1));
    buffers.set(name, buffer);
  }
  const bound = await Promise.all(
    bench.kernels.map(async (kernel) => {
      const module = device.createShaderModule({ code: kernel.wgsl });
      const pipeline = await device.createComputePipelineAsync({ layout: "auto", compute: { module, entryPoint: "main" } });
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: kernel.buffers.map((name, index) => ({ binding: index, resource: { buffer: buffers.get(name)! } })),
      });
      return { pipeline, bindGroup, workgroups: kernel.workgroups };
    }),
  );
  const run = async (): Promise<number> => {
    const started = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const { pipeline, bindGroup, workgroups } of bound) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...workgroups);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - started;
  };
  return { run, destroy: () => buffers.forEach((buffer) => buffer.destroy()) };
}

async function time(gpu: GpuContext, bench: BenchKernels): Promise<{ medianMs: number; minMs: number; maxMs: number }> {
  const prepared = await prepare(gpu, bench);
  for (let i = 0; i < WARM_UP_RUNS; i++) await prepared.run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await prepared.run());
  prepared.destroy();
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

async function main(): Promise<void> {
  const gpu = await openDevice();
  console.log(gpu.description);
  const rows: Row[] = [];
  for (const { name, spec } of CONVS) {
    const [C, H, W] = spec.inputShape as [number, number, number];
    const [K, OH, OW] = spec.outputShape as [number, number, number];
    const [KH, KW] = spec.attrs.kernel;
    const macs = spec.batch * K * OH * OW * (C / spec.attrs.groups) * KH * KW;
    const sizes = new Map([
      ["dy", spec.batch * K * OH * OW * 4],
      ["x", spec.batch * C * H * W * 4],
      ["dx", spec.batch * C * H * W * 4],
      ["weight", macs / (spec.batch * OH * OW) * 4],
      ["dweight", macs / (spec.batch * OH * OW) * 4],
      ["dbias", K * 4],
    ]);
    const backward = (generated: TrainingKernels): { bench: BenchKernels; kernels: string[] } => ({ bench: generatorKernels(generated, sizes), kernels: generated.kernels.map((kernel) => kernel.kernel) });
    const forward = forwardKernels(spec);
    const conv = convShapeOfGeometry(specGeometry(spec));
    // 1 pixel x 1 channel: the direct gather (one invocation per input value, no register tiling), the
    // kernel a separate direct kind would be.
    const dataCandidates = candidates(dataGemmKind, { op: "conv_backward_data", conv }, [{ pixels: 1, channels: 1 }]);
    const filterCandidates = candidates(filterGemmKind, { op: "conv_backward_filter", conv });
    const variants: { generator: string; kind: string; tile: string; isDefault: boolean; bench: BenchKernels; kernels: string[]; flops: number }[] = [
      { generator: "forward conv (inference plan)", kind: "-", tile: "default schedule", isDefault: true, bench: forward, kernels: forward.kernels.map((kernel) => kernel.wgsl.split("\n")[0]!.slice(3)), flops: 2 * macs },
      ...dataCandidates.filter(({ illegal }) => illegal === undefined).map(({ schedule }, index) => ({ generator: "convBackwardData", kind: schedule.kind, tile: knobText(schedule), isDefault: index === 0, ...backward(convBackwardData(spec, dataGemmScheduleOf(schedule, "bench"))), flops: 2 * macs })),
      ...filterCandidates.filter(({ illegal }) => illegal === undefined).map(({ schedule }, index) => ({ generator: "convBackwardFilter", kind: schedule.kind, tile: knobText(schedule), isDefault: index === 0, ...backward(convBackwardFilter(spec, filterGemmScheduleOf(schedule, "bench"))), flops: 2 * macs })),
      { generator: "convBackwardBias", kind: "-", tile: "-", isDefault: true, ...backward(convBackwardBias(spec)), flops: spec.batch * K * OH * OW },
    ];
    for (const { schedule, illegal } of [...dataCandidates, ...filterCandidates]) {
      if (illegal !== undefined) console.log(`${name}  skipped ${schedule.kind} ${knobText(schedule)}: ${illegal}`);
    }
    for (const variant of variants) {
      const timing = await time(gpu, variant.bench);
      const row: Row = { conv: name, generator: variant.generator, kind: variant.kind, tile: variant.tile, isDefault: variant.isDefault, kernels: variant.kernels, ...timing, gflops: Number((variant.flops / (timing.medianMs * 1e6)).toFixed(2)) };
      console.log(`${name}  ${variant.kind.padEnd(12)} ${variant.tile.padEnd(62)}${variant.isDefault ? " (default)" : "          "} ${timing.medianMs.toFixed(2).padStart(8)} ms (${timing.minMs.toFixed(2)}..${timing.maxMs.toFixed(2)})  ${row.gflops} GFLOP/s`);
      rows.push(row);
    }
  }
  gpu.destroy();
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify({ device: gpu.description, batch: 64, warmUpRuns: WARM_UP_RUNS, runs: RUNS, results: rows }, null, 2)}\n`);
}

await main();
