// Softmax over the channel (feature) axis, separately for every sample and every position: for [F] over
// the F features, for [C, H, W] over C at each pixel (PyTorch Softmax(dim=1)). The maximum is subtracted
// first, so large inputs do not overflow. As in PyTorch, a NaN or +Inf among the channels, or all of them
// -Inf, makes every output of that softmax NaN (Math.max keeps NaN; inf - inf is NaN).
import type { Node } from "../ir/graph.js";
import { channelsAndInner, expectShape, makeValue, type RefValue } from "./value.js";

export function runSoftmax(node: Node, input: RefValue): RefValue {
  expectShape(node, input.shape);
  const { channels, inner } = channelsAndInner(input.shape);
  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  for (let n = 0; n < input.batch; n++) {
    for (let p = 0; p < inner; p++) {
      const at = (c: number): number => (n * channels + c) * inner + p;
      let max = -Infinity;
      for (let c = 0; c < channels; c++) max = Math.max(max, x[at(c)]!);
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        const e = Math.exp(x[at(c)]! - max);
        y[at(c)] = e;
        sum += e;
      }
      for (let c = 0; c < channels; c++) y[at(c)] = y[at(c)]! / sum;
    }
  }
  return output;
}
