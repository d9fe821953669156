/// <reference types="@webgpu/types" preserve="true" />
// A network's weights resident on the GPU: one storage buffer per state_dict tensor (or per slice of
// one, for a weight a kernel binds in parts because it is larger than one GPU binding allows), uploaded
// once and shared by every plan (batch size) of a session, since parameters do not depend on the batch.
import type { PlanBuffer } from "../src/codegen/plan.js";
import type { DerivedParam } from "../src/kernels/kernelGraph.js";
import { PARAM_SIZE_HINT } from "../src/codegen/planLimits.js";
import { CnncUserError } from "../src/errors.js";
import { formatBytes } from "../src/ir/format.js";
import type { Tensor, WeightMap } from "../src/tensor.js";
import { createStorageBuffer, uploadFloat32 } from "./buffers.js";
import { deriveParams } from "./derivedParams.js";
import { runWithErrorScope } from "./gpuErrors.js";

export type ParamSlice = NonNullable<PlanBuffer["paramSlice"]>;

export class DeviceWeights {
  private readonly buffers = new Map<string, GPUBuffer>();
  /** Derived parameters (`bn1:scale`), computed once from `weights` (which stay the user's tensors only). */
  private readonly derived: WeightMap = new Map();
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    readonly weights: WeightMap,
  ) {}

  /**
   * The buffer holding `paramName` (or, with `slice`, its `bytes / 4` elements from
   * `slice.firstElement`), uploading it on first use. `bytes` is what the plan expects; a missing or
   * differently sized tensor is a user error (a weights file that does not fit the model).
   */
  async buffer(paramName: string, bytes: number, slice?: ParamSlice): Promise<GPUBuffer> {
    if (this.destroyed) throw new Error(`weights were destroyed before ${paramName} was requested`);
    const elements = bytes / 4;
    const key = slice === undefined ? paramName : `${paramName}[${slice.firstElement}:${slice.firstElement + elements}]`;
    const known = this.buffers.get(key);
    if (known !== undefined) {
      if (known.size < bytes) throw new Error(`internal: ${key} is uploaded with ${known.size} bytes, a plan wants ${bytes}`);
      return known;
    }
    const tensor = this.requireTensor(paramName, slice?.tensorBytes ?? bytes);
    const first = slice?.firstElement ?? 0;
    if (!Number.isInteger(elements) || first + elements > tensor.data.length) {
      throw new Error(`internal: ${key} is outside the ${tensor.data.length} elements of ${paramName}`);
    }
    const buffer = await runWithErrorScope(this.device, `uploading weight ${key}`, () => {
      const created = createStorageBuffer(this.device, bytes, key, 0, PARAM_SIZE_HINT);
      uploadFloat32(this.device, created, tensor.data.subarray(first, first + elements));
      return created;
    });
    this.buffers.set(key, buffer);
    return buffer;
  }

  /**
   * Computes the derived parameters a plan binds (folded batchnorm) from the weights, once per name,
   * so that a param buffer naming one (`bn1:scale`) is served like a state_dict tensor.
   */
  addDerived(derived: readonly DerivedParam[]): void {
    const missing = derived.filter((each) => !this.derived.has(each.name));
    for (const [name, tensor] of deriveParams(missing, this.weights)) this.derived.set(name, tensor);
  }

  /**
   * Checks that the weights hold every tensor a plan binds, at its size (`tensorBytes`: the whole
   * tensor's), before anything is uploaded, so a weights file missing several tensors names them all.
   */
  requireAll(params: readonly { paramName: string; tensorBytes: number }[]): void {
    const missing = params.filter(({ paramName }, index) => this.tensor(paramName) === undefined && params.findIndex((other) => other.paramName === paramName) === index);
    if (missing.length > 1) {
      throw new CnncUserError(`the weights have no tensors ${missing.map(({ paramName }) => `\`${paramName}\``).join(", ")}`, {
        hint: `the model needs ${missing.map(({ paramName, tensorBytes }) => `\`${paramName}\` (${tensorBytes / 4} float32 values)`).join(", ")}; the weights have: ${[...this.weights.keys()].join(", ") || "none"}`,
      });
    }
    for (const { paramName, tensorBytes } of params) this.requireTensor(paramName, tensorBytes);
  }

  private tensor(paramName: string): Tensor | undefined {
    return this.weights.get(paramName) ?? this.derived.get(paramName);
  }

  private requireTensor(paramName: string, bytes: number): Tensor {
    const tensor = this.tensor(paramName);
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
