/// <reference types="@webgpu/types" preserve="true" />
// How `cnnc profile` times each kernel of a plan: with WebGPU timestamp queries where the device has
// the `timestamp-query` feature (GPU time of each kernel's own compute pass), else by submitting each
// kernel alone and waiting for the queue (wall time, submission and wait overhead included).
import type { PlanExecutor } from "./executor.js";
import { readFloat32 } from "./buffers.js";
import { runWithErrorScope } from "./gpuErrors.js";

export interface KernelClock {
  /** How the times are taken, for the report: `GPU timestamp queries`, ... */
  readonly method: string;
  /** Runs every step of the executor's plan once, in plan order, and returns each step's milliseconds. */
  timeSteps(executor: PlanExecutor): Promise<number[]>;
  destroy(): void;
}

export const SUBMISSION_METHOD = "per-kernel submissions timed with performance.now() (each includes submission and wait overhead)";
export const TIMESTAMP_METHOD = "GPU timestamp queries (one compute pass per kernel)";

/** Each step submitted alone; its time runs from the submission until the queue says the work is done. */
export function submissionClock(device: GPUDevice): KernelClock {
  return {
    method: SUBMISSION_METHOD,
    timeSteps: (executor) =>
      runWithErrorScope(device, `profiling ${executor.plan.network}`, async () => {
        const times: number[] = [];
        for (const index of executor.plan.steps.keys()) {
          const encoder = device.createCommandEncoder({ label: executor.plan.network });
          executor.recordStep(encoder, index);
          const commands = encoder.finish();
          const started = performance.now();
          device.queue.submit([commands]);
          await device.queue.onSubmittedWorkDone();
          times.push(performance.now() - started);
        }
        return times;
      }),
    destroy: () => undefined,
  };
}

/**
 * Every step in a compute pass of its own whose beginning and end write timestamps, all in one
 * submission; the query set is resolved and read back once per run. The timestamps are nanoseconds.
 */
export function timestampClock(device: GPUDevice, stepCount: number): KernelClock {
  const count = 2 * Math.max(1, stepCount);
  const querySet = device.createQuerySet({ type: "timestamp", count, label: "kernel timestamps" });
  const resolved = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: "kernel timestamps (resolved)" });
  return {
    method: TIMESTAMP_METHOD,
    timeSteps: (executor) =>
      runWithErrorScope(device, `profiling ${executor.plan.network}`, async () => {
        const steps = executor.plan.steps.length;
        if (2 * steps > count) throw new Error(`internal: a timestamp clock for ${count / 2} steps timing ${steps}`);
        const encoder = device.createCommandEncoder({ label: executor.plan.network });
        for (let index = 0; index < steps; index++) {
          executor.recordStep(encoder, index, { timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 } });
        }
        encoder.resolveQuerySet(querySet, 0, 2 * steps, resolved, 0);
        device.queue.submit([encoder.finish()]);
        // Read as bytes (readFloat32 copies through a staging buffer), then seen as 64-bit counters.
        const bytes = await readFloat32(device, resolved, 2 * steps * 8);
        const stamps = new BigUint64Array(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice().buffer);
        return Array.from({ length: steps }, (_, index) => Number(stamps[2 * index + 1]! - stamps[2 * index]!) / 1e6);
      }),
    destroy: () => {
      querySet.destroy();
      resolved.destroy();
    },
  };
}

/** The timestamp clock where the device has `timestamp-query`, else per-kernel submissions. */
export function defaultKernelClock(device: GPUDevice, stepCount: number): KernelClock {
  return device.features.has("timestamp-query") ? timestampClock(device, stepCount) : submissionClock(device);
}
