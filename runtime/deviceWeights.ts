/// <reference types="@webgpu/types" />
// A network's weights resident on the GPU: one storage buffer per state_dict tensor, uploaded once and
// shared by every plan (batch size) of a session, since parameters do not depend on the batch.
import { CnncUserError } from "../src/errors.js";
import type { Tensor, WeightMap } from "../src/tensor.js";
import { createStorageBuffer, formatBytes, uploadFloat32 } from "./buffers.js";
import { runWithErrorScope } from "./gpuErrors.js";

export class DeviceWeights {
  private readonly buffers = new Map<string, GPUBuffer>();
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    readonly weights: WeightMap,
  ) {}

  /**
   * The buffer holding `paramName`, uploading it on first use. `bytes` is what the plan expects; a
   * missing or differently sized tensor is a user error (a weights file that does not fit the model).
   */
  async buffer(paramName: string, bytes: number): Promise<GPUBuffer> {
    if (this.destroyed) throw new Error(`weights were destroyed before ${paramName} was requested`);
    const known = this.buffers.get(paramName);
    if (known !== undefined) {
      if (known.size < bytes) throw new Error(`internal: ${paramName} is uploaded with ${known.size} bytes, a plan wants ${bytes}`);
      return known;
    }
    const tensor = this.requireTensor(paramName, bytes);
    const buffer = await runWithErrorScope(this.device, `uploading weight ${paramName}`, () => {
      const created = createStorageBuffer(this.device, bytes, paramName);
      uploadFloat32(this.device, created, tensor.data);
      return created;
    });
    this.buffers.set(paramName, buffer);
    return buffer;
  }

  private requireTensor(paramName: string, bytes: number): Tensor {
    const tensor = this.weights.get(paramName);
    if (tensor === undefined) {
      throw new CnncUserError(`the weights have no tensor \`${paramName}\``, {
        hint: `the model needs \`${paramName}\` (${bytes / 4} float32 values); the weights have: ${[...this.weights.keys()].join(", ") || "none"}`,
      });
    }
    if (tensor.data.byteLength !== bytes) {
      throw new CnncUserError(
        `weight \`${paramName}\` has shape [${tensor.shape.join(", ")}] (${formatBytes(tensor.data.byteLength)}) ` +
          `but the model needs ${bytes / 4} float32 values`,
        { hint: "the weights were saved for a different model (or a different version of this one)" },
      );
    }
    return tensor;
  }

  destroy(): void {
    this.destroyed = true;
    for (const buffer of this.buffers.values()) buffer.destroy();
    this.buffers.clear();
  }
}
