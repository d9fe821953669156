// The CPU reference's backward pass: the gradient of a loss w.r.t. every graph input and trainable
// parameter, given the loss's gradient w.r.t. each graph output. It runs the forward reference once
// (keeping every value), then walks the nodes in reverse, calling each op's registry `referenceGradient`
// and adding up the gradients of values read more than once (a residual's skip path, a concat of the
// same value). Same inference semantics as runReference; float64 throughout. The oracle for the
// training issue's GPU backward kernels.
import { CnncUserError } from "../errors.js";
import { shapeSize, type Graph, type Node, type OpKind } from "../ir/graph.js";
import { opDefinition, type ReferenceGradientFunction } from "../ops/registry.js";
import type { NamedTensors, WeightMap } from "../tensor.js";
import { runReference } from "./interpret.js";
import type { RefValue } from "./value.js";

export interface ReferenceBackwardResult {
  /** d loss / d input, by input name, [batch, ...shape] row-major. */
  inputs: Map<string, Float64Array>;
  /** d loss / d parameter, by state_dict name (`c1.weight`), in the parameter's layout. */
  params: Map<string, Float64Array>;
  /** The forward outputs in float64, by output name (what the loss was taken of). */
  outputs: Map<string, Float64Array>;
}

/**
 * `outputGradients`: d loss / d output for every graph output, by output name, [batch, ...shape]
 * row-major. A node off every path to an output gets no gradient; a parameter of such a node is absent.
 */
export function runReferenceBackward(
  graph: Graph,
  inputs: NamedTensors,
  weights: WeightMap,
  outputGradients: ReadonlyMap<string, Float64Array>,
): ReferenceBackwardResult {
  // Every op's gradient must exist before anything is computed.
  for (const node of graph.nodes) if (node.attrs.op !== "input") requireGradient(node);
  const forward = runReference(graph, inputs, weights, { keep: "all" });
  const values = forward.values!;
  const batch = forward.outputs.values().next().value!.shape[0]!;
  const valueOf = (node: Node): RefValue => ({ batch, shape: node.shape, data: values.get(node.id)! });

  const gradients = new Map<number, Float64Array>();
  const accumulate = (id: number, gradient: Float64Array): void => {
    const sum = gradients.get(id);
    if (sum === undefined) {
      gradients.set(id, Float64Array.from(gradient));
      return;
    }
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + gradient[i]!;
  };
  const outputs = new Map<string, Float64Array>();
  for (const id of graph.outputs) {
    const node = graph.nodes[id]!;
    const gradient = outputGradients.get(node.name);
    const expected = batch * shapeSize(node.shape);
    if (gradient === undefined || gradient.length !== expected) {
      throw new CnncUserError(`the gradient of output "${node.name}" is ${gradient === undefined ? "missing" : `${gradient.length} values long`}`, {
        hint: `give d loss / d ${node.name} as ${expected} values ([${batch}, ${node.shape.join(", ")}])`,
      });
    }
    accumulate(id, gradient);
    outputs.set(node.name, values.get(id)!);
  }

  const params = new Map<string, Float64Array>();
  const inputGradients = new Map<string, Float64Array>();
  for (let index = graph.nodes.length - 1; index >= 0; index--) {
    const node = graph.nodes[index]!;
    const gradient = gradients.get(node.id);
    if (gradient === undefined) continue;
    if (node.attrs.op === "input") {
      inputGradients.set(node.name, gradient);
      continue;
    }
    const args = node.inputs.map((source) => valueOf(graph.nodes[source]!));
    const result = requireGradient(node)(node, node.attrs, args, weights, valueOf(node), { batch, shape: node.shape, data: gradient });
    result.inputs.forEach((inputGradient, i) => accumulate(node.inputs[i]!, inputGradient.data));
    for (const [name, paramGradient] of result.params) params.set(name, paramGradient);
    gradients.delete(node.id);
  }
  return { inputs: inputGradients, params, outputs };
}

function requireGradient(node: Node): ReferenceGradientFunction<OpKind> {
  const gradient = opDefinition(node.attrs.op).referenceGradient;
  if (gradient === undefined) {
    throw new CnncUserError(`the CPU reference has no backward pass for ${node.name} (${node.attrs.op}) yet`, {
      hint: "gradients are defined for conv, fc, pooling, batchnorm, lrn, activations, softmax, add, concat, flatten and dropout",
    });
  }
  return gradient;
}
