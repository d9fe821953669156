// An evaluation pass's figures from the network's outputs, in float64 on the CPU: cross-entropy's mean
// loss (log-sum-exp), accuracy and predicted classes, or mse's mean loss against target rows.
import type { LossKind } from "../../src/ir/graph.js";

export interface EvaluationResult {
  loss: number;
  /** Fraction classified right (cross-entropy only). */
  accuracy: number | undefined;
  /** The predicted class of each image (cross-entropy only; argmax, the first of equals). */
  predictions: Int32Array | undefined;
  count: number;
}

/**
 * `probabilities`: the network ends in softmax, so its outputs are probabilities and the cross-entropy
 * is -log p[label]; otherwise they are logits (log-sum-exp minus the label's logit).
 */
export function evaluationLoss(loss: LossKind, outputs: Float32Array, perOutput: number, labels: Int32Array | Float32Array, probabilities = false): EvaluationResult {
  const count = outputs.length / perOutput;
  if (loss === "mse") {
    if (labels.length !== outputs.length) throw new Error(`internal: ${labels.length} targets for ${outputs.length} outputs`);
    let sum = 0;
    for (let i = 0; i < outputs.length; i++) sum += (outputs[i]! - labels[i]!) ** 2;
    return { loss: sum / outputs.length, accuracy: undefined, predictions: undefined, count };
  }
  if (labels.length !== count) throw new Error(`internal: ${labels.length} labels for ${count} outputs`);
  const predictions = new Int32Array(count);
  let total = 0;
  let correct = 0;
  for (let n = 0; n < count; n++) {
    const row = outputs.subarray(n * perOutput, (n + 1) * perOutput);
    let best = 0;
    let largest = -Infinity;
    for (let k = 0; k < perOutput; k++) {
      if (row[k]! > largest || Number.isNaN(row[k]!)) {
        largest = row[k]!;
        best = k;
        if (Number.isNaN(largest)) break;
      }
    }
    if (probabilities) {
      total -= Math.log(row[labels[n]!]!);
    } else {
      let sum = 0;
      for (let k = 0; k < perOutput; k++) sum += Math.exp(row[k]! - largest);
      total += Math.log(sum) + largest - row[labels[n]!]!;
    }
    predictions[n] = best;
    if (best === labels[n]) correct++;
  }
  return { loss: total / count, accuracy: correct / count, predictions, count };
}
