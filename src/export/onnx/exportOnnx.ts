// A layer graph and its weights as an ONNX model (opset 17, IR version 8, which ONNX 1.12 and every
// later runtime read): layers in graph order become nodes (ONNX wants them topologically sorted, as
// cnnc stores them), weights become initializers under their state_dict names, and the network's
// inputs and outputs keep cnnc's names with a symbolic batch axis.
import { expectedWeights, initWeights } from "../../../runtime/init.js";
import { checkWeights } from "../../../runtime/weightMismatch.js";
import { CnncUserError } from "../../errors.js";
import type { Graph } from "../../ir/graph.js";
import { paramFullName, shapeSize } from "../../ir/graph.js";
import { formatBytes } from "../../ir/format.js";
import type { WeightMap } from "../../tensor.js";
import { OnnxGraphBuilder } from "./graphBuilder.js";
import { layerExporter } from "./layerExporters.js";
import { encodeModel } from "./onnxSchema.js";

export const ONNX_OPSET = 17;
/** IR version 8 (2021-07-30): the newest that opset 17's ONNX release (1.12) writes and checks. */
export const ONNX_IR_VERSION = 8;
/** Protobuf's limit on one message; larger ONNX models keep their weights in external files, which this export does not write. */
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

export interface OnnxExportOptions {
  /** Seed of the weights drawn when none are given, as `cnnc run --seed` draws them (default 0). */
  seed?: number;
  /** Where given weights came from (the --weights file), named when they do not match the network. */
  weightsSource?: string;
  /** cnnc's version, written as the model's producer_version. */
  producerVersion?: string;
}

/**
 * The ONNX model (protobuf bytes) computing `graph` at inference, with `weights` (matched by state_dict
 * name and shape) or, without them, the seeded initial weights `cnnc run` uses without --weights.
 * A layer ONNX cannot express exactly, or a model past protobuf's 2 GiB, is a CnncUserError.
 */
export function exportOnnx(graph: Graph, weights: WeightMap | undefined, options: OnnxExportOptions = {}): Uint8Array {
  const expected = expectedWeights(graph);
  checkSize(graph, expected.reduce((total, weight) => total + 4 * shapeSize(weight.shape), 0));
  if (weights !== undefined) checkWeights(expected, weights, options.weightsSource);
  const values = weights ?? initWeights(graph, options.seed ?? 0);

  const builder = new OnnxGraphBuilder(graph.name);
  const names: string[] = [];
  for (const node of graph.nodes) {
    const output = builder.claim(node.name, `the output of layer ${node.name}`);
    const exporter = layerExporter(node.attrs.op);
    exporter({
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((id) => names[id]!),
      inputShapes: node.inputs.map((id) => graph.nodes[id]!.shape),
      output,
      builder,
      weight: (name) => {
        const param = node.params.find((each) => each.name === name);
        if (param === undefined) throw new Error(`internal: ONNX export of ${node.name} asked for a parameter ${name} it does not have`);
        const fullName = paramFullName(node, param);
        const tensor = values.get(fullName);
        if (tensor === undefined) throw new Error(`internal: weight ${fullName} was checked but is missing`);
        return builder.addWeight(fullName, tensor, `weight ${fullName} of layer ${node.name}`);
      },
      temporary: (what) => builder.fresh(`${node.name}/${what}`, `layer ${node.name}`),
    });
    names[node.id] = output;
  }
  for (const id of graph.outputs) builder.addOutput(names[id]!, graph.nodes[id]!.shape);

  const bytes = encodeModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: "", version: ONNX_OPSET }],
    producer_name: "cnnc",
    producer_version: options.producerVersion ?? "",
    doc_string: `cnnc network ${graph.name}`,
    graph: builder.graph(),
  });
  checkSize(graph, bytes.length);
  return bytes;
}

function checkSize(graph: Graph, bytes: number): void {
  if (bytes <= PROTOBUF_LIMIT_BYTES) return;
  throw new CnncUserError(`ONNX export: ${graph.name} needs ${formatBytes(bytes)}, past the 2 GiB a single ONNX (protobuf) file can hold`, {
    hint: "ONNX keeps larger models' weights in external data files, which cnnc does not write: use fewer channels or features",
  });
}
