// Collects an ONNX graph while the exporter walks cnnc's layers in order: nodes (so the graph comes
// out topologically sorted), initializers, inputs and outputs, and the value names, each defined once.
// Graph inputs, outputs and weights keep cnnc's names (a weight keeps its state_dict name); values
// the exporter adds between them get fresh names derived from their layer's.
import { formatLocation } from "../../elaborate/reporter.js";
import { CnncUserError } from "../../errors.js";
import type { Node, Shape } from "../../ir/graph.js";
import type { Tensor } from "../../tensor.js";
import {
  ATTRIBUTE_TYPE,
  TENSOR_FLOAT,
  TENSOR_INT64,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from "./onnxSchema.js";

/** The symbolic batch axis of every graph input and output. */
export const BATCH_DIMENSION = "batch";

export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs) and what defined it. */
  private readonly values = new Map<string, string>();
  private readonly nodeNames = new Set<string>();

  constructor(private readonly name: string) {}

  /**
   * Claims a name cnnc chose (a layer's output, a weight): it must be free, since ONNX defines each value
   * once. Two such names can only meet when a layer is named like another layer's weight (`as c1.weight`).
   */
  claim(name: string, owner: string): string {
    const previous = this.values.get(name);
    if (previous !== undefined) {
      throw new CnncUserError(`ONNX export: ${owner} and ${previous} both need the value name \`${name}\``, {
        hint: "ONNX names every value once: rename one of the layers with `as NAME`",
      });
    }
    this.values.set(name, owner);
    return name;
  }

  /** A name for a value the export adds: `base` when free, else `base_2`, `base_3`, ... */
  fresh(base: string, owner: string): string {
    let name = base;
    for (let suffix = 2; this.values.has(name); suffix++) name = `${base}_${suffix}`;
    return this.claim(name, owner);
  }

  /** Appends a node; its outputs must have been claimed. The node's name is its first output's. */
  addNode(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: OnnxAttribute[] = []): void {
    for (const input of inputs) {
      // "" is ONNX's name for an optional input left out (Resize's roi).
      if (input !== "" && !this.values.has(input)) throw new Error(`internal: ONNX node ${opType} reads \`${input}\` before it is defined`);
    }
    let name = outputs[0] ?? opType;
    for (let suffix = 2; this.nodeNames.has(name); suffix++) name = `${outputs[0] ?? opType}_${suffix}`;
    this.nodeNames.add(name);
    this.nodes.push({ name, op_type: opType, input: [...inputs], output: [...outputs], attribute: attributes });
  }

  /** A float32 initializer under `name` (a weight's state_dict name). */
  addWeight(name: string, tensor: Tensor, owner: string): string {
    const { data } = tensor;
    // Every platform Node runs on is little-endian, as raw_data must be: the bytes are the values.
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name: this.claim(name, owner), dims: [...tensor.shape], data_type: TENSOR_FLOAT, raw_data: raw });
    return name;
  }

  /** A 1-D int64 initializer (pads, axes, slice bounds) named after `base`. */
  addInt64s(base: string, values: readonly number[], owner: string): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((value, index) => view.setBigInt64(index * 8, BigInt(value), true));
    const name = this.fresh(base, owner);
    this.initializers.push({ name, dims: [values.length], data_type: TENSOR_INT64, raw_data: raw });
    return name;
  }

  /** A 1-D float32 initializer (Resize's scales) named after `base`. */
  addFloats(base: string, values: readonly number[], layer: Node, what: string): string {
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    values.forEach((value, index) => view.setFloat32(index * 4, float32Of(value, layer, what), true));
    const name = this.fresh(base, layer.name);
    this.initializers.push({ name, dims: [values.length], data_type: TENSOR_FLOAT, raw_data: raw });
    return name;
  }

  /** A 0-D float32 initializer (a scalar operand of Mul, Add, Pow) named after `base`. */
  addScalar(base: string, value: number, layer: Node, what: string): string {
    const raw = new Uint8Array(4);
    new DataView(raw.buffer).setFloat32(0, float32Of(value, layer, what), true);
    const name = this.fresh(base, layer.name);
    this.initializers.push({ name, dims: [], data_type: TENSOR_FLOAT, raw_data: raw });
    return name;
  }

  /** Declares a claimed name as a graph input of per-sample shape `shape` (the batch axis is symbolic). */
  addInput(name: string, shape: Shape): void {
    if (!this.values.has(name)) throw new Error(`internal: ONNX input \`${name}\` was not claimed`);
    this.inputs.push(valueInfo(name, shape));
  }

  /** Declares an already defined value as a graph output. */
  addOutput(name: string, shape: Shape): void {
    if (!this.values.has(name)) throw new Error(`internal: ONNX output \`${name}\` is not defined`);
    this.outputs.push(valueInfo(name, shape));
  }

  graph(): OnnxGraph {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, shape: Shape): OnnxValueInfo {
  const dim = [{ dim_param: BATCH_DIMENSION }, ...shape.map((size) => ({ dim_value: size }))];
  return { name, type: { tensor_type: { elem_type: TENSOR_FLOAT, shape: { dim } } } };
}

/**
 * `value` as the float32 ONNX stores (float attributes and tensors are float32, as cnnc's kernels
 * compute): a finite nonzero value that float32 turns into an infinity or a zero is an error, since the
 * exported model would then compute something else.
 */
export function float32Of(value: number, layer: Node, what: string): number {
  const rounded = Math.fround(value);
  const lost = Number.isFinite(value) && (!Number.isFinite(rounded) || (rounded === 0 && value !== 0));
  if (lost) {
    throw new CnncUserError(`ONNX export: layer \`${layer.name}\`'s ${what} ${value} is outside float32's range: ONNX would store ${rounded}`, {
      location: formatLocation(layer.span),
      hint: `ONNX keeps ${what} as a float32; use a value between 1.2e-38 and 3.4e38 in magnitude`,
    });
  }
  return rounded;
}

export function floatAttribute(name: string, value: number, layer: Node): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.FLOAT, f: float32Of(value, layer, name) };
}

export function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INT, i: value };
}

export function intsAttribute(name: string, values: readonly number[]): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...values] };
}

export function stringAttribute(name: string, value: string): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value) };
}
