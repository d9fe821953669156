/// <reference types="@webgpu/types" preserve="true" />
// Compiled compute pipelines, cached per device by everything that determines them (WGSL text, entry
// point, binding access modes), so plans for different batches, or repeated layers with identical
// shapes, compile each distinct kernel once.
import type { KernelStep } from "../src/codegen/plan.js";
import { runWithErrorScope } from "./gpuErrors.js";
import { createCheckedShaderModule } from "./shaderModule.js";

export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const cacheByDevice = new WeakMap<GPUDevice, Map<string, Promise<CachedPipeline>>>();

function cacheKey(step: KernelStep): string {
  const access = step.bindings.map((binding) => binding.access).join(",");
  return `${step.entryPoint}\n${access}\n${step.wgsl}`;
}

async function compile(device: GPUDevice, step: KernelStep): Promise<CachedPipeline> {
  const module = await createCheckedShaderModule(device, step.wgsl, step.name);
  return runWithErrorScope(device, `creating the pipeline of kernel ${step.name} (layer ${step.layer})`, async () => {
    // An explicit layout from the step's bindings: `auto` would drop bindings a shader happens not to
    // read, and the bind group built from the plan would then not match it.
    const layout = device.createBindGroupLayout({
      label: step.name,
      entries: step.bindings.map((binding, index) => ({
        binding: index,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: binding.access === "read" ? "read-only-storage" : "storage" },
      })),
    });
    try {
      const pipeline = await device.createComputePipelineAsync({
        label: step.name,
        layout: device.createPipelineLayout({ label: step.name, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: step.entryPoint },
      });
      return { pipeline, layout };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`kernel ${step.name} (layer ${step.layer}): pipeline creation failed: ${reason}`, { cause: error });
    }
  });
}

/** The pipeline and bind group layout for `step`, compiling (and checking) its WGSL on first use. */
export function pipelineFor(device: GPUDevice, step: KernelStep): Promise<CachedPipeline> {
  let cache = cacheByDevice.get(device);
  if (cache === undefined) {
    cache = new Map();
    cacheByDevice.set(device, cache);
  }
  const key = cacheKey(step);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const compiled = compile(device, step);
  cache.set(key, compiled);
  // A failed compile must not poison the cache for a later retry.
  compiled.catch(() => cache.delete(key));
  return compiled;
}
