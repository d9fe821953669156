// A host-side tensor: a dense row-major float32 array with its full shape (batch included, NCHW).
// Inputs, outputs and weights cross every boundary (npy, safetensors, GPU buffers, the CPU
// reference) in this form.
import { shapeSize } from "./ir/graph.js";

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors by name, as a Map or a plain object (`{ image: tensor }`): how inputs are passed in. */
export type NamedTensors = Map<string, Tensor> | Record<string, Tensor>;

export function namedTensorMap(tensors: NamedTensors): Map<string, Tensor> {
  return tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
}

/** Weights keyed by their PyTorch state_dict name (`c1.weight`, `bn1.running_mean`). */
export type WeightMap = Map<string, Tensor>;

export function makeTensor(shape: number[], data?: Float32Array): Tensor {
  const size = shapeSize(shape);
  if (data !== undefined && data.length !== size) {
    throw new Error(`tensor data has ${data.length} elements but shape ${describeShape(shape)} needs ${size}`);
  }
  return { shape: [...shape], data: data ?? new Float32Array(size) };
}

/** `[1, 3, 224, 224]`: how a shape is written in messages. */
export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
