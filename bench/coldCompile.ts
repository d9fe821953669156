/// <reference types="@webgpu/types" />
// Cold shader compiles for the benchmarks: each sample compiles a copy of a kernel's WGSL with a
// distinct trailing comment, so neither Dawn's in-process cache nor Mesa's (disabled by the caller via
// MESA_SHADER_CACHE_DISABLE before the device opens) can answer it.
import type { KernelStep } from "../src/codegen/plan.js";
import { createCheckedShaderModule } from "../runtime/device.js";

/** One cold compile, in ms: shader module, pipeline, and the first dispatch's extra time over a second one. */
export interface CompileSample {
  moduleMs: number;
  pipelineMs: number;
  firstDispatchExtraMs: number;
  totalMs: number;
}

export interface TimedDispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  step: KernelStep;
}

export function bindGroup(device: GPUDevice, layout: GPUBindGroupLayout, step: KernelStep, buffers: readonly GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout,
    entries: step.bindings.map((binding, index) => ({ binding: index, resource: { buffer: buffers[binding.buffer]! } })),
  });
}

export async function timeDispatches(device: GPUDevice, dispatches: readonly TimedDispatch[], repeats: number): Promise<number> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const { pipeline, group, step } of dispatches) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...step.workgroups);
    }
  }
  pass.end();
  const start = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

let salt = 0;

/** One cold compile of `step` (a unique copy of its WGSL), against `buffers` for its first dispatches. */
export async function compileSample(device: GPUDevice, step: KernelStep, buffers: readonly GPUBuffer[]): Promise<CompileSample> {
  const code = `${step.wgsl}// compile-time sample ${++salt} ${process.pid}\n`;
  const start = performance.now();
  const module = await createCheckedShaderModule(device, code, step.name);
  const moduleDone = performance.now();
  const layout = device.createBindGroupLayout({
    entries: step.bindings.map((binding, index) => ({
      binding: index,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: binding.access === "read" ? "read-only-storage" : "storage" },
    })),
  });
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: step.entryPoint },
  });
  const pipelineDone = performance.now();
  const dispatch = [{ pipeline, group: bindGroup(device, layout, step, buffers), step }];
  const first = await timeDispatches(device, dispatch, 1);
  const second = await timeDispatches(device, dispatch, 1);
  const moduleMs = moduleDone - start;
  const pipelineMs = pipelineDone - moduleDone;
  const firstDispatchExtraMs = Math.max(0, first - second);
  return { moduleMs, pipelineMs, firstDispatchExtraMs, totalMs: moduleMs + pipelineMs + firstDispatchExtraMs };
}
