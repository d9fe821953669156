// The conv schedules on the GEMM core against the direct kernel, on VGG's 3x3 64 -> 64 conv (pad 1,
// bias) at 56x56 batch 1 and 32x32 batch 16: direct, im2col + GEMM, implicit GEMM with register tiles
// (a few tile shapes, to choose the default) and with workgroup memory.
//
// Each variant is emitted by the conv generator with its schedule knobs forced (a plan whose steps
// replace those of a direct build, sharing its input, output and parameter buffers), checked against
// the float64 reference, then timed as a caller waits for it (upload the input, run, read back) after
// warm-up runs (the first compiles the shaders): the median of `--runs`.
//
//   npx tsx bench/gemmCore.ts [--runs 3] [--warmup 1]      writes bench/results/gemm-core.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { openDevice } from "../runtime/device.js";
import { createExecutor } from "../runtime/executor.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { emitConv } from "../src/codegen/conv/conv.js";
import { biasStage } from "../src/codegen/epilogue.js";
import type { KernelContext, KernelStep, Plan, PlanBuffer } from "../src/codegen/plan.js";
import { convScheduleOfKind, type ConvSchedule } from "../src/codegen/schedule.js";
import { compileSource } from "../src/compile.js";
import type { ConvAttrs, Graph } from "../src/ir/graph.js";
import { buildPlan } from "../src/pipeline.js";
import { runReference } from "../src/reference/interpret.js";
import type { WeightMap } from "../src/tensor.js";
import { checkAgainstReference, wholeOption } from "./convBenchChecks.js";
import { median } from "./peers/tfjsWebgpu.js";

process.env.EGL_PLATFORM ??= "surfaceless";

const RESULT_PATH = "bench/results/gemm-core.json";
const CHANNELS = 64;

interface Variant {
  name: string;
  schedule(attrs: ConvAttrs): ConvSchedule;
}

const VARIANTS: Variant[] = [
  { name: "direct (default knobs)", schedule: (attrs) => convScheduleOfKind(attrs, "direct") },
  { name: "im2col (default knobs)", schedule: (attrs) => convScheduleOfKind(attrs, "im2col") },
  { name: "implicit_gemm (default knobs)", schedule: (attrs) => convScheduleOfKind(attrs, "implicit_gemm") },
  { name: "implicit_gemm 8x16 vec4", schedule: (attrs) => ({ ...convScheduleOfKind(attrs, "implicit_gemm"), tileM: 8, tileN: 16 }) as ConvSchedule },
  { name: "implicit_gemm 4x8 vec4", schedule: (attrs) => ({ ...convScheduleOfKind(attrs, "implicit_gemm"), tileM: 4, tileN: 8 }) as ConvSchedule },
  { name: "implicit_gemm 8x8 workgroup memory (64)", schedule: (attrs) => ({ ...convScheduleOfKind(attrs, "implicit_gemm"), tileM: 8, tileN: 8, workgroupMemory: true }) as ConvSchedule },
  { name: "implicit_gemm 4x8 workgroup memory (64)", schedule: (attrs) => ({ ...convScheduleOfKind(attrs, "implicit_gemm"), tileM: 4, tileN: 8, workgroupMemory: true }) as ConvSchedule },
];

/** A direct build's plan with its conv steps replaced by `schedule`'s, on the same buffers. */
function planWithSchedule(graph: Graph, batch: number, schedule: ConvSchedule, maxStorageBindings: number): Plan {
  const base = buildPlan(graph, batch, { schedule: { all: "direct" }, maxStorageBindings });
  const node = graph.nodes.find((each) => each.name === "conv")!;
  const buffers: PlanBuffer[] = [...base.buffers];
  const param = (name: string): number => buffers.find((buffer) => buffer.paramName === `conv.${name}`)!.id;
  const steps: KernelStep[] = [];
  const context: KernelContext = {
    graph,
    batch,
    inputBuffers: [base.inputs[0]!.buffer],
    outputBuffer: base.outputs[0]!.buffer,
    paramBuffer: param,
    paramSliceBuffer: () => {
      throw new Error("the bench conv binds whole weights");
    },
    scratchBuffer: (label, bytes) => {
      buffers.push({ id: buffers.length, label: `conv.${label}`, role: "scratch", bytes: Math.max(4, bytes), node: node.id });
      return buffers.length - 1;
    },
    emit: (step) => steps.push(step),
  };
  emitConv({ ...node, schedule }, context, [biasStage(param("bias"))]);
  const programs = steps.map((step) => ({ key: step.program, wgsl: step.wgsl, entryPoint: step.entryPoint, bindings: [], layers: [step.layer] }));
  return { ...base, buffers, steps, programs };
}

interface Row {
  variant: string;
  schedule: ConvSchedule;
  kernels: string[];
  medianMs: number;
  minMs: number;
  gflops: number;
  maxAbsErrorVsReference: number;
}

async function measureShape(size: number, batch: number, runs: number, warmup: number, gpu: Awaited<ReturnType<typeof openDevice>>): Promise<Row[]> {
  const source = `network VggConv {\n  input x: ${CHANNELS}x${size}x${size}\n  conv(${CHANNELS}, 3, pad=1) as conv\n}\n`;
  const { graph } = compileSource(source, "vgg_conv.cnn");
  if (graph === undefined) throw new Error(`the VGG-style conv does not compile:\n${source}`);
  const attrs = graph.nodes.find((node) => node.name === "conv")!.attrs as ConvAttrs;
  const weights: WeightMap = initWeights(graph, 0);
  const input = randomNormalTensor([batch, CHANNELS, size, size], 0, "input:x");
  const inputs = new Map([["x", input]]);
  const flops = 2 * CHANNELS * CHANNELS * 9 * size * size * batch;
  const expected = runReference(graph, inputs, weights).outputs.get("conv")!;
  const rows: Row[] = [];
  for (const variant of VARIANTS) {
    const schedule = variant.schedule(attrs);
    const plan = planWithSchedule(graph, batch, schedule, gpu.limits.maxStorageBuffersPerShaderStage);
    const executor = await createExecutor(gpu, plan, weights);
    try {
      let output = (await executor.run(inputs)).get("conv")!;
      for (let i = 1; i < warmup; i++) await executor.run(inputs);
      const timesMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        output = (await executor.run(inputs)).get("conv")!;
        timesMs.push(performance.now() - started);
      }
      const medianMs = median(timesMs);
      const row: Row = {
        variant: variant.name,
        schedule,
        kernels: plan.steps.map((step) => step.name),
        medianMs: Number(medianMs.toFixed(2)),
        minMs: Number(Math.min(...timesMs).toFixed(2)),
        gflops: Number((flops / medianMs / 1e6).toFixed(3)),
        maxAbsErrorVsReference: checkAgainstReference(`${variant.name} at ${size}x${size} batch ${batch}`, output, expected),
      };
      console.log(`${size}x${size} batch ${batch}  ${variant.name.padEnd(40)} median ${row.medianMs} ms, ${row.gflops} GFLOP/s`);
      rows.push(row);
    } finally {
      executor.destroy();
    }
  }
  return rows;
}

async function main(args: readonly string[]): Promise<void> {
  const runs = wholeOption(args, "--runs", 3);
  const warmup = wholeOption(args, "--warmup", 1);
  const gpu = await openDevice();
  try {
    const shapes = [
      { size: 56, batch: 1 },
      { size: 32, batch: 16 },
    ];
    const results = [];
    for (const shape of shapes) results.push({ layer: `conv 3x3 ${CHANNELS} -> ${CHANNELS}, pad 1, bias, ${shape.size}x${shape.size}, batch ${shape.batch}`, rows: await measureShape(shape.size, shape.batch, runs, warmup, gpu) });
    const result = { adapter: gpu.description, timed: "upload the input, run the conv, read the output back", warmup, runs, results };
    mkdirSync(dirname(RESULT_PATH), { recursive: true });
    writeFileSync(RESULT_PATH, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${RESULT_PATH}`);
  } finally {
    gpu.destroy();
  }
}

await main(process.argv.slice(2));
