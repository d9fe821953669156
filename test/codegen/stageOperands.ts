// Host-side helpers for the fusion kernel tests: the folded batchnorm a scale_shift stage reads (as
// the plan builder derives it at weight upload), and the float64 combinations of reference outputs a
// fused kernel must reproduce (a residual sum, an activation, a concat along channels).
import { makeTensor, type Tensor, type WeightMap } from "../../src/tensor.js";

/** scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale, of batchnorm layer `layer`. */
export function foldBatchnorm(weights: WeightMap, layer: string, eps: number): { scale: Tensor; shift: Tensor } {
  const get = (name: string): Float32Array => {
    const tensor = weights.get(`${layer}.${name}`);
    if (tensor === undefined) throw new Error(`test: no weight ${layer}.${name}`);
    return tensor.data;
  };
  const [weight, bias, mean, variance] = [get("weight"), get("bias"), get("running_mean"), get("running_var")];
  const scale = makeTensor([weight.length]);
  const shift = makeTensor([weight.length]);
  for (let c = 0; c < weight.length; c++) {
    const factor = weight[c]! / Math.sqrt(variance[c]! + eps);
    scale.data[c] = factor;
    shift.data[c] = bias[c]! - mean[c]! * factor;
  }
  return { scale, shift };
}

/** Element i of the result is `combine(a[i], b[i])` (same shapes). */
export function zipTensors(a: Tensor, b: Tensor, combine: (x: number, y: number) => number): Tensor {
  if (a.data.length !== b.data.length) throw new Error("test: zipTensors of different sizes");
  const result = makeTensor(a.shape);
  for (let i = 0; i < a.data.length; i++) result.data[i] = combine(a.data[i]!, b.data[i]!);
  return result;
}

export function mapTensor(a: Tensor, apply: (x: number) => number): Tensor {
  const result = makeTensor(a.shape);
  for (let i = 0; i < a.data.length; i++) result.data[i] = apply(a.data[i]!);
  return result;
}

/** [N, C_0 + C_1 + ..., ...] from tensors [N, C_i, ...] with the same other dimensions. */
export function concatChannels(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0]!;
  const [batch, , ...rest] = first.shape;
  const inner = rest.reduce((a, b) => a * b, 1);
  const channels = tensors.map((tensor) => tensor.shape[1]!);
  const total = channels.reduce((a, b) => a + b, 0);
  const result = makeTensor([batch!, total, ...rest]);
  for (let n = 0; n < batch!; n++) {
    let offset = 0;
    tensors.forEach((tensor, i) => {
      const block = channels[i]! * inner;
      result.data.set(tensor.data.subarray(n * block, (n + 1) * block), (n * total + offset) * inner);
      offset += channels[i]!;
    });
  }
  return result;
}
