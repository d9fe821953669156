// A host-side tensor: a dense row-major float32 array with its full shape (batch included, NCHW).
// Inputs, outputs and weights cross every boundary (npy, safetensors, GPU buffers, the CPU
// reference) in this form.
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Weights keyed by their PyTorch state_dict name (`c1.weight`, `bn1.running_mean`). */
export type WeightMap = Map<string, Tensor>;

export function makeTensor(shape: number[], data?: Float32Array): Tensor {
  const size = shape.reduce((product, extent) => product * extent, 1);
  if (data !== undefined && data.length !== size) {
    throw new Error(`tensor data has ${data.length} elements but shape [${shape.join(", ")}] needs ${size}`);
  }
  return { shape: [...shape], data: data ?? new Float32Array(size) };
}
