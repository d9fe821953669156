// The CPU reference: runs an IR graph forward with plain loops in float64, straight from each op's
// textbook / PyTorch definition. It is the oracle the GPU kernels and `cnnc run --check` are judged by,
// so it shares no code with them. Inference semantics: batchnorm uses running statistics, dropout is
// the identity. Each op's computation is its registry definition's reference (src/ops/), written in
// this directory.
import { shapeSize, type Graph, type Node } from "../ir/graph.js";
import { CnncUserError } from "../errors.js";
import { checkHostTotal } from "../hostLimits.js";
import { formatInteger } from "../ir/format.js";
import { makeTensor, namedTensorMap, type NamedTensors, type Tensor, type WeightMap } from "../tensor.js";
import { opDefinition } from "../ops/registry.js";
import { makeValue, type RefValue } from "./value.js";

export interface ReferenceOptions {
  /**
   * Nodes whose values to return (as `values`): `all`, e.g. to find the first layer where GPU and CPU
   * differ, or the ids of the few a question needs (a layer and its inputs). Their total size is
   * checked against the machine's memory before anything is computed.
   */
  keep?: "all" | readonly number[];
}

export interface ReferenceResult {
  /** Keyed by output node name; full shape [batch, ...node.shape], float32 (rounded from float64). */
  outputs: Map<string, Tensor>;
  /** With `keep`: those nodes' values by node id, [batch, ...node.shape] row-major, float64. */
  values?: Map<number, Float64Array>;
}

/** `inputs` by input name, as `session.run` takes them: a Map or a plain object. */
export function runReference(
  graph: Graph,
  namedInputs: NamedTensors,
  weights: WeightMap,
  options: ReferenceOptions = {},
): ReferenceResult {
  const inputs = namedTensorMap(namedInputs);
  const batch = batchOf(graph, inputs);
  const kept = keptNodes(graph, options.keep, batch);
  // Free each intermediate value after its last reader (a kept one stays in `values`).
  const lastUse = new Map<number, number>();
  for (const node of graph.nodes) for (const source of node.inputs) lastUse.set(source, node.id);
  const outputIds = new Set(graph.outputs);

  const live = new Map<number, RefValue>();
  const values = kept === undefined ? undefined : new Map<number, Float64Array>();
  for (const node of graph.nodes) {
    const args = node.inputs.map((source) => {
      const value = live.get(source);
      if (value === undefined) {
        throw new Error(`reference: ${node.name} reads node ${source}, which is not computed before it`);
      }
      return value;
    });
    const value = node.attrs.op === "input" ? inputValue(node, inputs, batch) : evaluate(node, args, weights);
    live.set(node.id, value);
    if (kept?.has(node.id) === true) values?.set(node.id, value.data);
    for (const source of node.inputs) {
      if (lastUse.get(source) === node.id && !outputIds.has(source)) live.delete(source);
    }
  }

  const outputs = new Map<string, Tensor>();
  for (const id of graph.outputs) {
    const node = graph.nodes[id]!;
    const value = live.get(id)!;
    outputs.set(node.name, makeTensor([batch, ...node.shape], Float32Array.from(value.data)));
  }
  return values === undefined ? { outputs } : { outputs, values };
}

/** The node ids `keep` names, after checking that their values fit in memory together. */
function keptNodes(graph: Graph, keep: ReferenceOptions["keep"], batch: number): Set<number> | undefined {
  if (keep === undefined) return undefined;
  const ids = new Set(keep === "all" ? graph.nodes.map((node) => node.id) : keep);
  let elements = 0;
  for (const id of ids) {
    const node = graph.nodes[id];
    if (node === undefined) throw new Error(`internal: the reference was asked to keep node ${id}, which ${graph.name} does not have`);
    elements += batch * shapeSize(node.shape);
  }
  checkHostTotal(`the CPU reference's float64 values of ${ids.size} layers of ${graph.name} at batch ${formatInteger(batch)}`, elements * 8, "use a smaller batch");
  return ids;
}

function evaluate(node: Node, args: RefValue[], weights: WeightMap): RefValue {
  const attrs = node.attrs;
  const definition = opDefinition(attrs.op);
  if (definition.reference === undefined) throw new Error(`reference: ${node.name} (${attrs.op}) is a graph input, not an op`);
  if (definition.arity === "one" && args.length !== 1) {
    throw new Error(`reference: ${node.name} (${attrs.op}) takes one input, got ${args.length}`);
  }
  return definition.reference(node, attrs, args, weights);
}

/** The batch size every input must share: their first dimension. */
function batchOf(graph: Graph, inputs: Map<string, Tensor>): number {
  let batch: number | undefined;
  for (const id of graph.inputs) {
    const node = graph.nodes[id]!;
    const tensor = requireInput(node, inputs);
    const size = tensor.shape[0]!;
    if (batch !== undefined && size !== batch) {
      throw new CnncUserError(`input "${node.name}" has batch ${size} but an earlier input has batch ${batch}`, {
        hint: "all inputs of one run must have the same first (batch) dimension",
      });
    }
    batch = size;
  }
  if (batch === undefined) throw new Error(`reference: graph ${graph.name} has no inputs`);
  return batch;
}

function requireInput(node: Node, inputs: Map<string, Tensor>): Tensor {
  const tensor = inputs.get(node.name);
  const expected = `[N, ${node.shape.join(", ")}]`;
  if (tensor === undefined) {
    throw new CnncUserError(`input "${node.name}" is missing`, {
      hint: `give ${node.name} as a float32 tensor of shape ${expected}`,
    });
  }
  const matches =
    tensor.shape.length === node.shape.length + 1 &&
    tensor.shape[0]! >= 1 &&
    node.shape.every((size, i) => tensor.shape[i + 1] === size);
  if (!matches || tensor.data.length !== shapeSize(tensor.shape)) {
    throw new CnncUserError(`input "${node.name}" has shape [${tensor.shape.join(", ")}], expected ${expected}`, {
      hint: "inputs are NCHW with the batch first (N x C x H x W, or N x C x L for 1-D networks)",
    });
  }
  return tensor;
}

function inputValue(node: Node, inputs: Map<string, Tensor>, batch: number): RefValue {
  const tensor = requireInput(node, inputs);
  const value = makeValue(batch, node.shape);
  value.data.set(tensor.data);
  return value;
}
