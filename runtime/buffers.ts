/// <reference types="@webgpu/types" preserve="true" />
// GPU storage buffers for tensors: creation with size checks that name the tensor, upload, and
// read-back through a staging buffer. Sizes are in bytes; tensors are float32.
import type { BufferLimit } from "../src/codegen/planLimits.js";
import { CnncUserError } from "../src/errors.js";
import { formatBytes } from "../src/ir/format.js";
import { runWithErrorScope } from "./gpuErrors.js";

/** WebGPU buffer sizes must be multiples of 4, and a zero-sized binding is invalid. */
function paddedSize(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

/** The hint for activation-like buffers, whose sizes grow with the batch. */
const BATCH_SIZE_HINT = "use a smaller --batch (activation buffers grow with the batch) or a smaller input size";

/** The most bytes one storage buffer may take on `device`, for checkPlanFits. */
export function storageBufferLimit(device: GPUDevice): BufferLimit {
  return {
    bytes: Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
    imposedBy: "this GPU allows in one storage buffer",
    fits: "this GPU's storage buffers",
  };
}

/**
 * Throws a CnncUserError when a tensor of `bytes` cannot be bound as one storage buffer on `device`.
 * `hint` says how to fix it for this kind of tensor (by default: activations, which grow with the batch).
 */
function checkStorageBufferSize(device: GPUDevice, bytes: number, label: string, hint = BATCH_SIZE_HINT): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new Error(`buffer ${label}: invalid size ${bytes}`);
  }
  const bindingLimit = device.limits.maxStorageBufferBindingSize;
  const bufferLimit = device.limits.maxBufferSize;
  const limit = Math.min(bindingLimit, bufferLimit);
  if (paddedSize(bytes) > limit) {
    const limitName = bindingLimit <= bufferLimit ? "maxStorageBufferBindingSize" : "maxBufferSize";
    throw new CnncUserError(
      `tensor ${label} needs ${formatBytes(bytes)} (${bytes} bytes), more than this GPU allows in one storage buffer ` +
        `(${limitName} = ${formatBytes(limit)})`,
      { hint },
    );
  }
}

/**
 * A storage buffer that can also be copied to and from; `usageExtras` adds usage flags, `sizeHint` is
 * the fix `checkStorageBufferSize` suggests when it is too large.
 */
export function createStorageBuffer(device: GPUDevice, bytes: number, label: string, usageExtras = 0, sizeHint = BATCH_SIZE_HINT): GPUBuffer {
  checkStorageBufferSize(device, bytes, label, sizeHint);
  return device.createBuffer({
    label,
    size: paddedSize(bytes),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | usageExtras,
  });
}

/** Writes `data` into `buffer` at `offsetBytes` (queued; ordered before later submissions). */
export function uploadFloat32(device: GPUDevice, buffer: GPUBuffer, data: Float32Array, offsetBytes = 0): void {
  if (offsetBytes + data.byteLength > buffer.size) {
    throw new Error(
      `upload to ${buffer.label}: ${data.byteLength} bytes at offset ${offsetBytes} overflow its ${buffer.size} bytes`,
    );
  }
  device.queue.writeBuffer(buffer, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
}

/** A storage buffer holding `data`. */
export function createStorageBufferWithData(device: GPUDevice, data: Float32Array, label: string): GPUBuffer {
  const buffer = createStorageBuffer(device, data.byteLength, label);
  uploadFloat32(device, buffer, data);
  return buffer;
}

/** A value to read back: the first `bytes` of `source` (which needs COPY_SRC usage). */
export interface ReadBackRange {
  source: GPUBuffer;
  bytes: number;
}

/**
 * A MAP_READ buffer that values are copied into at the end of a submission and read from once it has
 * run. An executor keeps one for its whole life: creating, mapping and destroying a buffer per read
 * costs more than the copy itself. The ranges of one read lie back to back, so one map reads them all.
 */
export class StagingBuffer {
  private readonly buffer: GPUBuffer;

  /** Room for `capacityBytes` of values in all (a multiple of 4; zero is allowed). */
  constructor(device: GPUDevice, readonly capacityBytes: number, label: string) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0 || capacityBytes % 4 !== 0) {
      throw new Error(`staging buffer ${label}: invalid size ${capacityBytes}`);
    }
    this.buffer = device.createBuffer({ label, size: paddedSize(capacityBytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Records the copies of `ranges` into this buffer; submit `encoder`, then `read` the same ranges. */
  recordCopies(encoder: GPUCommandEncoder, ranges: readonly ReadBackRange[]): void {
    let offset = 0;
    for (const { source, bytes } of ranges) {
      if (bytes % 4 !== 0 || bytes > source.size) {
        throw new Error(`read of ${source.label}: ${bytes} bytes is not a whole float32 count within its ${source.size} bytes`);
      }
      if (offset + bytes > this.capacityBytes) {
        throw new Error(`internal: the read-back of ${source.label} overflows the ${this.capacityBytes} bytes of ${this.buffer.label}`);
      }
      if (bytes > 0) encoder.copyBufferToBuffer(source, 0, this.buffer, offset, bytes);
      offset += bytes;
    }
  }

  /**
   * The values of `ranges` (as passed to `recordCopies`) once the submission holding the copies has
   * run: mapAsync waits for exactly that work, so no onSubmittedWorkDone is needed before it.
   */
  async read(ranges: readonly ReadBackRange[]): Promise<Float32Array[]> {
    const total = ranges.reduce((sum, { bytes }) => sum + bytes, 0);
    await this.buffer.mapAsync(GPUMapMode.READ, 0, paddedSize(total));
    try {
      const mapped = this.buffer.getMappedRange(0, paddedSize(total));
      let offset = 0;
      // slice(): the mapped range is detached by unmap().
      return ranges.map(({ bytes }) => {
        const start = offset;
        offset += bytes;
        return new Float32Array(mapped.slice(start, offset));
      });
    } finally {
      this.buffer.unmap();
    }
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * Reads the first `bytes` of `buffer` (which needs COPY_SRC usage) after all submitted work, through a
 * staging buffer of its own: for one-off reads (an executor keeps its StagingBuffer). Errors name the
 * buffer. The host array's size is not checked here, on every read: an executor checks its read-backs
 * once, when it is created.
 */
export async function readFloat32(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  if (bytes % 4 !== 0 || bytes > buffer.size) {
    throw new Error(`read of ${buffer.label}: ${bytes} bytes is not a whole float32 count within its ${buffer.size} bytes`);
  }
  if (bytes === 0) {
    return new Float32Array(0);
  }
  return runWithErrorScope(device, `reading ${buffer.label}`, async () => {
    const staging = new StagingBuffer(device, bytes, `${buffer.label} (read-back)`);
    try {
      const ranges = [{ source: buffer, bytes }];
      const encoder = device.createCommandEncoder({ label: `read ${buffer.label}` });
      staging.recordCopies(encoder, ranges);
      device.queue.submit([encoder.finish()]);
      const [values] = await staging.read(ranges);
      return values!;
    } finally {
      staging.destroy();
    }
  });
}

/**
 * Reads several buffers (each needs COPY_SRC usage) after all submitted work, through one staging
 * buffer: one copy submission and one map for them all (a trainer's weights, its optimizer state).
 */
export async function readBuffers(device: GPUDevice, ranges: readonly ReadBackRange[], what: string): Promise<Float32Array[]> {
  const total = ranges.reduce((sum, { bytes }) => sum + bytes, 0);
  if (total === 0) return ranges.map(() => new Float32Array(0));
  return runWithErrorScope(device, `reading ${what}`, async () => {
    const staging = new StagingBuffer(device, total, `${what} (read-back)`);
    try {
      const encoder = device.createCommandEncoder({ label: `read ${what}` });
      staging.recordCopies(encoder, ranges);
      device.queue.submit([encoder.finish()]);
      return await staging.read(ranges);
    } finally {
      staging.destroy();
    }
  });
}
