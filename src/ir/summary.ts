// The numbers behind `cnnc summary`: the course notes' VGG table, one row per node — output volume,
// activations, parameters with their formula, MACs — and memory totals. Pure data; the CLI renders it.
//
// Activations count what a layer adds to memory: the input and every layer output, except elementwise
// layers the mark-in-place pass marked (ReLU after a conv overwrites the conv's output, as PyTorch's
// inplace ReLU does and as the notes' table assumes: it has no ReLU rows).
import { CnncUserError } from "../errors.js";
import { smallerBatchHint } from "../hostLimits.js";
import { type Graph, type Node, type Shape, shapeSize } from "./graph.js";
import { formatInteger, formatMagnitude, formatVolume, formatVolumeProduct, inexactCount, WHOLE_NUMBER_LIMIT } from "./format.js";
import { opLabel } from "./opLabel.js";

export const BYTES_PER_FLOAT32 = 4;

export interface SummaryRow {
  name: string;
  op: string;
  /** Per-sample output shape, CxHxW order. */
  output: Shape;
  /** `224x224x64`: the notes' volume order. */
  volume: string;
  /** Activation values this layer adds per image (0 when it runs in place). */
  activations: number;
  /** `224*224*64 = 3.2M`, `4096` for a vector, or `in place`. */
  activationsText: string;
  params: number;
  /** `(3*3*3)*64 + 64 = 1,792`, or `0`. */
  paramsText: string;
  macs: number;
}

export interface MemoryEstimate {
  batch: number;
  /** Activations of a batch, float32. */
  activationBytes: number;
  /** Parameters and buffers (batchnorm running statistics), float32. */
  parameterBytes: number;
  /** Forward pass: activations + parameters. */
  forwardBytes: number;
  /** Training: activations and their gradients, parameters x3 (weights, gradients, optimizer state), buffers. */
  trainingBytes: number;
}

export interface Summary {
  network: string;
  /** Shape of the first input (the network's only input in the common case). */
  input: Shape;
  /** The network's outputs in order: the node's name and per-sample shape (CxHxW). */
  outputs: { name: string; output: Shape }[];
  rows: SummaryRow[];
  totals: { params: number; macs: number; activations: number };
  memory: MemoryEstimate;
}

/** The stable `cnnc summary --json` interface. */
export interface SummaryJson {
  network: string;
  input: Shape;
  outputs: { name: string; output: Shape }[];
  layers: { name: string; op: string; output: Shape; params: number; macs: number; activations: number }[];
  totals: { params: number; macs: number; activations: number };
  /** Float32 bytes at `memory.batch` (summary --batch): the totals the table prints. */
  memory: MemoryEstimate;
}

export function summarizeGraph(graph: Graph, batch = 1): Summary {
  const rows = graph.nodes.map((node) => summarizeNode(graph, node));
  const totals = {
    params: exactSum(rows.map((row) => row.params), "parameters"),
    macs: exactSum(rows.map((row) => row.macs), "multiply-accumulates per image"),
    activations: exactSum(rows.map((row) => row.activations), "activations per image"),
  };
  const bufferElements = sum(graph.nodes.flatMap((node) => node.params.filter((p) => !p.trainable).map((p) => shapeSize(p.shape))));
  const activationBytes = totals.activations * batch * BYTES_PER_FLOAT32;
  const trainableBytes = totals.params * BYTES_PER_FLOAT32;
  const bufferBytes = bufferElements * BYTES_PER_FLOAT32;
  const firstInput = graph.nodes[graph.inputs[0] ?? 0];
  const trainingBytes = 2 * activationBytes + 3 * trainableBytes + bufferBytes;
  if (!Number.isSafeInteger(trainingBytes)) {
    // The training estimate is the largest; it grows by 2 * activation bytes per sample.
    const largestBatch = Math.floor((Number.MAX_SAFE_INTEGER - 3 * trainableBytes - bufferBytes) / (2 * totals.activations * BYTES_PER_FLOAT32));
    throw new CnncUserError(
      `the memory estimates of ${graph.name} at batch ${formatInteger(batch)} need ${inexactCount(trainingBytes, "bytes")}: ${WHOLE_NUMBER_LIMIT}`,
      { hint: smallerBatchHint(largestBatch, "in exact byte counts") },
    );
  }
  return {
    network: graph.name,
    input: firstInput === undefined ? [] : firstInput.shape.slice(),
    outputs: graph.outputs.map((id) => ({ name: graph.nodes[id]!.name, output: graph.nodes[id]!.shape.slice() })),
    rows,
    totals,
    memory: {
      batch,
      activationBytes,
      parameterBytes: trainableBytes + bufferBytes,
      forwardBytes: activationBytes + trainableBytes + bufferBytes,
      trainingBytes,
    },
  };
}

export function summaryToJson(summary: Summary): SummaryJson {
  return {
    network: summary.network,
    input: summary.input,
    outputs: summary.outputs.map((output) => ({ name: output.name, output: output.output.slice() })),
    layers: summary.rows.map((row) => ({
      name: row.name,
      op: row.op,
      output: row.output,
      params: row.params,
      macs: row.macs,
      activations: row.activations,
    })),
    totals: { ...summary.totals },
    memory: { ...summary.memory },
  };
}

function summarizeNode(graph: Graph, node: Node): SummaryRow {
  const activations = node.inPlace === true ? 0 : node.activations;
  const formula = paramsFormula(graph, node);
  return {
    name: node.name,
    op: opLabel(node.attrs),
    output: node.shape.slice(),
    volume: formatVolume(node.shape),
    activations,
    activationsText:
      node.inPlace === true
        ? "in place"
        : node.shape.length === 1
          ? String(node.activations)
          : `${formatVolumeProduct(node.shape)} = ${formatMagnitude(node.activations)}`,
    params: node.paramCount,
    paramsText: formula === undefined || node.paramCount === 0 ? formatInteger(node.paramCount) : `${formula} = ${formatInteger(node.paramCount)}`,
    macs: node.macs,
  };
}

/** The notes' parameter formulas: `(3*3*3)*64 + 64`, `7*7*512*4096 + 4096`, `2*64`. */
function paramsFormula(graph: Graph, node: Node): string | undefined {
  const attrs = node.attrs;
  const input = graph.nodes[node.inputs[0] ?? -1];
  if (input === undefined) return undefined;
  if (attrs.op === "conv") {
    const perGroup = input.shape[0]! / attrs.groups;
    const kernel = attrs.spatialRank === 2 ? [attrs.kernel[0], attrs.kernel[1]] : [attrs.kernel[1]];
    const weights = `(${[...kernel, perGroup].join("*")})*${attrs.outChannels}`;
    return attrs.bias ? `${weights} + ${attrs.outChannels}` : weights;
  }
  if (attrs.op === "conv_transpose") {
    const weights = `(${attrs.kernel[0]}*${attrs.kernel[1]}*${attrs.outChannels / attrs.groups})*${input.shape[0]}`;
    return attrs.bias ? `${weights} + ${attrs.outChannels}` : weights;
  }
  if (attrs.op === "fc") {
    const weights = `${formatVolumeProduct(input.shape)}*${attrs.outFeatures}`;
    return attrs.bias ? `${weights} + ${attrs.outFeatures}` : weights;
  }
  if (attrs.op === "batchnorm") return `2*${input.shape[0]}`;
  return undefined;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * A network total; each layer's count is exact (shape inference checks), but their sum may not be.
 * Elaboration reports that at the layer passing the limit; this guards graphs built by other means.
 */
function exactSum(values: number[], what: string): number {
  const total = sum(values);
  if (!Number.isSafeInteger(total)) {
    throw new CnncUserError(`the network has ${inexactCount(total, what)}: ${WHOLE_NUMBER_LIMIT}`, {
      hint: "use smaller sizes (fewer channels or features, a smaller input)",
    });
  }
  return total;
}
