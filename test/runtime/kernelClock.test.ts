// The kernel clocks. The timestamp clock needs a device with `timestamp-query`, which llvmpipe does
// not offer: it is checked against a fake device that plays the GPU's part (timestamps written where
// each pass's timestampWrites say, resolved and copied as encoded), so its encoding and arithmetic are
// tested here; the submission clock runs on the real device.
import { beforeAll, describe, expect, it } from "vitest";

import type { PlanExecutor } from "../../runtime/executor.js";
import { defaultKernelClock, SUBMISSION_METHOD, timestampClock, TIMESTAMP_METHOD } from "../../runtime/kernelClock.js";
import { testGpu } from "../codegen/gpuHarness.js";

interface FakeBuffer {
  label: string;
  size: number;
  data: Uint8Array;
}

/** A GPUDevice whose queue "runs" resolveQuerySet and copyBufferToBuffer, with the timestamps of `stamps`. */
function fakeTimestampDevice(stamps: (pass: number, end: boolean) => bigint) {
  const passes: GPUComputePassDescriptor[] = [];
  const resolves: { first: number; count: number }[] = [];
  const written = new Map<number, bigint>();
  const buffer = (descriptor: GPUBufferDescriptor): FakeBuffer & Record<string, unknown> => {
    const fake: FakeBuffer & Record<string, unknown> = { label: descriptor.label ?? "", size: descriptor.size, data: new Uint8Array(descriptor.size) };
    fake.mapAsync = () => Promise.resolve();
    fake.getMappedRange = (offset = 0, size = fake.size) => fake.data.slice(offset, offset + size).buffer;
    fake.unmap = () => undefined;
    fake.destroy = () => undefined;
    return fake;
  };
  const device = {
    features: new Set(["timestamp-query"]),
    lost: new Promise(() => undefined),
    addEventListener: () => undefined,
    pushErrorScope: () => undefined,
    popErrorScope: () => Promise.resolve(null),
    createQuerySet: (descriptor: GPUQuerySetDescriptor) => ({ count: descriptor.count, destroy: () => undefined }),
    createBuffer: buffer,
    createCommandEncoder: () => {
      const commands: (() => void)[] = [];
      return {
        beginComputePass: (descriptor: GPUComputePassDescriptor) => {
          const pass = passes.length;
          passes.push(descriptor);
          const writes = descriptor.timestampWrites;
          return {
            end: () => {
              if (writes?.beginningOfPassWriteIndex !== undefined) written.set(writes.beginningOfPassWriteIndex, stamps(pass, false));
              if (writes?.endOfPassWriteIndex !== undefined) written.set(writes.endOfPassWriteIndex, stamps(pass, true));
            },
          };
        },
        resolveQuerySet: (_set: unknown, first: number, count: number, destination: FakeBuffer, offset: number) => {
          resolves.push({ first, count });
          commands.push(() => {
            const view = new DataView(destination.data.buffer);
            for (let query = 0; query < count; query++) view.setBigUint64(offset + 8 * query, written.get(first + query) ?? 0n, true);
          });
        },
        copyBufferToBuffer: (source: FakeBuffer, sourceOffset: number, destination: FakeBuffer, offset: number, bytes: number) =>
          commands.push(() => destination.data.set(source.data.subarray(sourceOffset, sourceOffset + bytes), offset)),
        finish: () => commands,
      };
    },
    queue: { submit: (buffers: (() => void)[][]) => buffers.flat().forEach((command) => command()) },
  };
  return { device: device as unknown as GPUDevice, passes, resolves };
}

/** An executor stand-in: a plan of `steps` kernels whose recordStep opens one pass each, as the real one does. */
function fakeExecutor(steps: number): PlanExecutor {
  const executor = {
    plan: { network: "Net", steps: Array.from({ length: steps }, (_, index) => ({ name: `k${index}` })) },
    recordStep: (encoder: GPUCommandEncoder, _index: number, pass: GPUComputePassDescriptor = {}) => encoder.beginComputePass(pass).end(),
  };
  return executor as unknown as PlanExecutor;
}

describe("kernel clocks", () => {
  beforeAll(async () => {
    await testGpu(); // installs Dawn's GPUBufferUsage and GPUMapMode globals
  });

  it("timestamp clock: one pass per kernel with its two timestamps, resolved once, nanoseconds to milliseconds", async () => {
    // Pass i starts at i ms and lasts (i + 1) * 0.25 ms; counters beyond 2^53 stay exact as bigints.
    const base = 2n ** 60n;
    const { device, passes, resolves } = fakeTimestampDevice((pass, end) => base + BigInt(pass) * 1_000_000n + (end ? BigInt(pass + 1) * 250_000n : 0n));
    const clock = timestampClock(device, 3);
    expect(clock.method).toBe(TIMESTAMP_METHOD);
    expect(await clock.timeSteps(fakeExecutor(3))).toEqual([0.25, 0.5, 0.75]);
    expect(passes.map((pass) => [pass.timestampWrites?.beginningOfPassWriteIndex, pass.timestampWrites?.endOfPassWriteIndex])).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(resolves).toEqual([{ first: 0, count: 6 }]);
    await expect(clock.timeSteps(fakeExecutor(4))).rejects.toThrow(/a timestamp clock for 3 steps timing 4/);
  });

  it("picks timestamps where the device has the feature, else per-kernel submissions", async () => {
    expect(defaultKernelClock(fakeTimestampDevice(() => 0n).device, 2).method).toBe(TIMESTAMP_METHOD);
    const gpu = await testGpu();
    expect(defaultKernelClock(gpu.device, 2).method).toBe(gpu.device.features.has("timestamp-query") ? TIMESTAMP_METHOD : SUBMISSION_METHOD);
  });
});
