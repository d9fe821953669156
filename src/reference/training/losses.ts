// The training losses in float64, as PyTorch defines them with reduction="mean": CrossEntropyLoss on
// logits (log-softmax and negative log-likelihood in one, numerically stable through log-sum-exp) and
// MSELoss. Each gives the loss and its gradient w.r.t. the network's output. The oracle of the GPU loss
// kernels (src/codegen/training/losses.ts).
import { shapeSize } from "../../ir/graph.js";
import type { RefValue } from "../value.js";

export interface CrossEntropyResult {
  /** The mean of `losses`. */
  loss: number;
  /** -log softmax(logits)[label] per sample; NaN for a label outside [0, classes). */
  losses: Float64Array;
  /** Samples whose first largest logit is at their label. */
  correct: number;
  /** (softmax(logits) - onehot(label)) / N; a sample with a label outside [0, classes) gets NaN. */
  dlogits: Float64Array;
}

export interface MeanSquaredErrorResult {
  /** The mean of (output - target)^2 over every element of the batch. */
  loss: number;
  /** 2 * (output - target) / (N * elements). */
  doutputs: Float64Array;
}

/** `logits` is [N, K] (shape [K]); `labels` holds one class index per sample. */
export function softmaxCrossEntropy(logits: RefValue, labels: Int32Array): CrossEntropyResult {
  const batch = logits.batch;
  const classes = shapeSize(logits.shape);
  if (labels.length !== batch) throw new Error(`reference: ${labels.length} labels for a batch of ${batch}`);
  const losses = new Float64Array(batch);
  const dlogits = new Float64Array(batch * classes);
  let correct = 0;
  for (let n = 0; n < batch; n++) {
    const row = logits.data.subarray(n * classes, (n + 1) * classes);
    const label = labels[n]!;
    let largest = row[0]!;
    let argmax = 0;
    for (let k = 1; k < classes; k++) {
      if (row[k]! > largest) {
        largest = row[k]!;
        argmax = k;
      }
    }
    // A NaN logit makes the sum, and so the loss, NaN, whatever `largest` is.
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(row[k]! - largest);
    const valid = label >= 0 && label < classes;
    losses[n] = valid ? largest + Math.log(sum) - row[label]! : NaN;
    if (valid && argmax === label) correct++;
    for (let k = 0; k < classes; k++) {
      const onehot = k === label ? 1 : 0;
      dlogits[n * classes + k] = valid ? (Math.exp(row[k]! - largest) / sum - onehot) / batch : NaN;
    }
  }
  const loss = losses.reduce((total, each) => total + each, 0) / batch;
  return { loss, losses, correct, dlogits };
}

/** `targets` holds one value per element of `outputs`, in the same layout. */
export function meanSquaredError(outputs: RefValue, targets: Float64Array): MeanSquaredErrorResult {
  const count = outputs.data.length;
  if (targets.length !== count) throw new Error(`reference: ${targets.length} targets for ${count} outputs`);
  let sum = 0;
  const doutputs = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const difference = outputs.data[i]! - targets[i]!;
    sum += difference * difference;
    doutputs[i] = (2 * difference) / count;
  }
  return { loss: sum / count, doutputs };
}
