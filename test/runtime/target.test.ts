// The target a device offers: the adapter's identity with backend and feature level, its limits as
// requested, and whether it can time kernels with timestamp queries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { targetOf } from "../../runtime/target.js";
import { PORTABLE_TARGET } from "../../src/schedule/types.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

describe("targetOf", () => {
  it("reads the adapter's identity, limits and timestamp support from the device", () => {
    const target = targetOf(gpu);
    const details = gpu.adapterDetails;
    expect(target.adapter).toBe(`${details.vendor}|${details.architecture}|${details.device}|${details.description}|${gpu.backend}|${gpu.featureLevel}`);
    expect(target.description).toBe(gpu.description);
    for (const [name, limit] of Object.entries(target.limits)) {
      expect(limit, name).toBe(gpu.limits[name as keyof typeof gpu.limits]);
      // Every adapter grants at least the portable target's limits.
      expect(limit, name).toBeGreaterThanOrEqual(PORTABLE_TARGET.limits[name as keyof typeof PORTABLE_TARGET.limits]);
    }
    expect(target.timestampQuery).toBe(gpu.features.includes("timestamp-query"));
    // Two devices on one adapter are the same target (the tuning cache's key).
    expect(targetOf(gpu).adapter).toBe(target.adapter);
  });
});
