// Whether a plan's buffers fit a device's storage-buffer limit: one check over every buffer (values,
// parameters, scratch), run when an executor is created for the plan, before any buffer is. Values
// grow with the batch, so the error names the largest buffer past the limit and the largest batch at
// which every buffer fits; a parameter does not depend on the batch, so its error says so.
import { CnncUserError } from "../errors.js";
import { smallerBatchHint } from "../hostLimits.js";
import { formatBytes, formatInteger } from "../ir/format.js";
import { describeShape } from "../tensor.js";
import type { Plan, PlanBuffer } from "./plan.js";

/** The most bytes one buffer may take, and what imposes it (for messages). */
export interface BufferLimit {
  bytes: number;
  /** `this GPU allows in one storage buffer`. */
  imposedBy: string;
  /** `this GPU's storage buffers`: what a batch fits in the hint. */
  fits: string;
}

/**
 * The hint for a parameter: its size is fixed by the layer, so the batch does not matter. fc weights
 * never get here (their kernels bind them in row slices that fit); a conv weight can.
 */
export const PARAM_SIZE_HINT =
  "the layer's weight is larger than one GPU binding allows; cnnc splits fc weights across bindings, but not this layer's: " +
  "use fewer channels or a smaller kernel for this layer, or a GPU with a larger maxStorageBufferBindingSize";

/** `input x [4, 3, 32, 32]`, `the output of layer c1 [4, 64, 32, 32]`, `weight c1.weight`, `scratch buffer c1.cols`. */
function describeBuffer(buffer: PlanBuffer): string {
  const shape = buffer.shape === undefined ? "" : ` ${describeShape(buffer.shape)}`;
  switch (buffer.role) {
    case "input":
      return `input ${buffer.label}${shape}`;
    case "output":
    case "activation":
      return `the output of layer ${buffer.label}${shape}`;
    case "param":
      return `weight ${buffer.label}`;
    case "scratch":
      return `scratch buffer ${buffer.label}`;
    case "state":
      return `training buffer ${buffer.label}`;
  }
}

/** Throws a CnncUserError naming the tensor, its bytes, the limit and the fix when a buffer of `plan` is larger than `limit`. */
export function checkPlanFits(plan: Plan, limit: BufferLimit): void {
  const tooLarge = plan.buffers.filter((buffer) => buffer.bytes > limit.bytes);
  if (tooLarge.length === 0) return;
  const beyond = `more than ${limit.imposedBy} (${formatBytes(limit.bytes)})`;
  const param = tooLarge.find((buffer) => buffer.role === "param");
  if (param !== undefined) {
    throw new CnncUserError(`${describeBuffer(param)} needs ${formatBytes(param.bytes)}, ${beyond}`, { hint: PARAM_SIZE_HINT });
  }
  const largest = tooLarge.reduce((found, buffer) => (buffer.bytes > found.bytes ? buffer : found));
  // A loop, not Math.max(...buffers): a plan of a large network has a buffer per layer.
  const largestPerSample = plan.buffers.reduce((largestBytes, buffer) => (buffer.role === "param" ? largestBytes : Math.max(largestBytes, buffer.bytes / plan.batch)), 0);
  const largestBatch = Math.floor(limit.bytes / largestPerSample);
  throw new CnncUserError(`${describeBuffer(largest)} needs ${formatBytes(largest.bytes)} at batch ${formatInteger(plan.batch)}, ${beyond}`, {
    hint: smallerBatchHint(largestBatch, limit.fits),
  });
}
