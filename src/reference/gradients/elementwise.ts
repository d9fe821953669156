// Backward passes of the ops without parameters that keep or rearrange values: activations (their
// derivative from the activation table), softmax, add, mul, concat, and the views flatten and dropout (the
// identity at inference, so their gradient is the output's, in the input's shape).
import { shapeSize, type ActivationAttrs, type Node } from "../../ir/graph.js";
import { activationDefinition } from "../../ops/activations.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import { channelsAndInner, makeValue, type RefValue } from "../value.js";
import { mulGateIndex } from "../structural.js";

function onlyInputGradient(gradient: RefValue): ReferenceGradients {
  return { inputs: [gradient], params: new Map() };
}

/** dx = dy * f'(x), elementwise. */
export function activationGradient(attrs: ActivationAttrs, input: RefValue, output: RefValue, outputGradient: RefValue): ReferenceGradients {
  const activation = activationDefinition(attrs.op);
  const inputGradient = makeValue(input.batch, input.shape);
  for (let i = 0; i < input.data.length; i++) {
    inputGradient.data[i] = outputGradient.data[i]! * activation.referenceDerivative(attrs, input.data[i]!, output.data[i]!);
  }
  return onlyInputGradient(inputGradient);
}

/** Softmax over channels at each position: dx_c = y_c * (dy_c - sum_j dy_j * y_j). */
export function softmaxGradient(output: RefValue, outputGradient: RefValue): ReferenceGradients {
  const { channels, inner } = channelsAndInner(output.shape);
  const inputGradient = makeValue(output.batch, output.shape);
  const y = output.data;
  const dy = outputGradient.data;
  for (let n = 0; n < output.batch; n++) {
    for (let p = 0; p < inner; p++) {
      const at = (c: number): number => (n * channels + c) * inner + p;
      let dot = 0;
      for (let c = 0; c < channels; c++) dot += dy[at(c)]! * y[at(c)]!;
      for (let c = 0; c < channels; c++) inputGradient.data[at(c)] = y[at(c)]! * (dy[at(c)]! - dot);
    }
  }
  return onlyInputGradient(inputGradient);
}

/** The output's gradient reshaped to the input's shape (flatten, dropout at inference). */
export function viewGradient(input: RefValue, outputGradient: RefValue): ReferenceGradients {
  return onlyInputGradient({ batch: input.batch, shape: [...input.shape], data: Float64Array.from(outputGradient.data) });
}

/** Every summand gets the whole output gradient. */
export function addGradient(inputs: readonly RefValue[], outputGradient: RefValue): ReferenceGradients {
  return {
    inputs: inputs.map((input) => ({ batch: input.batch, shape: [...input.shape], data: Float64Array.from(outputGradient.data) })),
    params: new Map(),
  };
}

/**
 * y = value * gate[g(i)]: dvalue = dy * gate[g(i)], and dgate[j] = the sum of dy * value over the
 * elements i with g(i) = j (all of its channel for a per-channel gate, PyTorch's broadcast backward).
 */
export function mulGradient(node: Node, inputs: readonly RefValue[], outputGradient: RefValue): ReferenceGradients {
  const [value, gate] = inputs as [RefValue, RefValue];
  const gateIndex = mulGateIndex(value, gate, node);
  const valueGradient = makeValue(value.batch, value.shape);
  const gateGradient = makeValue(gate.batch, gate.shape);
  for (let i = 0; i < value.data.length; i++) {
    const j = gateIndex(i);
    valueGradient.data[i] = outputGradient.data[i]! * gate.data[j]!;
    gateGradient.data[j] = gateGradient.data[j]! + outputGradient.data[i]! * value.data[i]!;
  }
  return { inputs: [valueGradient, gateGradient], params: new Map() };
}

/** Each input gets its channel slice of the output gradient, sample by sample. */
export function concatGradient(inputs: readonly RefValue[], outputGradient: RefValue): ReferenceGradients {
  const sampleSize = shapeSize(outputGradient.shape);
  const gradients = inputs.map((input) => makeValue(input.batch, input.shape));
  for (let n = 0; n < outputGradient.batch; n++) {
    let offset = n * sampleSize;
    gradients.forEach((gradient) => {
      const size = shapeSize(gradient.shape);
      gradient.data.set(outputGradient.data.subarray(offset, offset + size), n * size);
      offset += size;
    });
  }
  return { inputs: gradients, params: new Map() };
}
