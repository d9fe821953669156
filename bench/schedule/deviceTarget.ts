// The Target of an opened device, as src/schedule/types.ts describes it: the adapter's identity
// (vendor, architecture, device, description, backend, feature level joined by `|`), its limits and
// whether it times with timestamp queries. A stand-in for runtime/target.ts until that exists in
// this branch; the integrator keeps one of the two.
import { availableParallelism } from "node:os";
import type { GpuContext } from "../../runtime/device.js";
import type { Target } from "../../src/schedule/types.js";

export function deviceTarget(gpu: GpuContext): Target {
  const details = gpu.adapterDetails;
  const limits = gpu.device.limits;
  return {
    adapter: [details.vendor, details.architecture, details.device, details.description, gpu.backend, gpu.featureLevel].join("|"),
    description: gpu.description,
    limits: {
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    },
    timestampQuery: gpu.features.includes("timestamp-query"),
  };
}

/**
 * Invocations the adapter runs at once. llvmpipe: one thread per CPU core, each running a SIMD vector
 * of 32-bit lanes (its name says the vector's bits, `256 bits`). Other adapters do not say; 65536 is a
 * discrete GPU's order (a hundred-odd multiprocessors of some hundreds of resident invocations).
 */
export function concurrentInvocations(target: Target): number {
  const bits = /llvmpipe.*?(\d+)[- ]bits/i.exec(target.adapter);
  return bits === null ? 65536 : availableParallelism() * (Number(bits[1]) / 32);
}
