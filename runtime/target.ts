// The target a device offers: its adapter's identity (the tuning cache's key) and the limits that
// decide which kernels and schedules it can run, read from an open device.
import type { Target } from "../src/schedule/types.js";
import type { GpuContext } from "./device.js";

export function targetOf(gpu: GpuContext): Target {
  const details = gpu.adapterDetails;
  const limits = gpu.limits;
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
