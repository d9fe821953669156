// Lowering: the layer graph to a kernel graph with one kernel per layer that computes something.
// Each op's registry entry says how it lowers (src/ops/registry.ts): inputs become uploaded values,
// views alias their input's value, anchors become a kernel of their own (a conv, conv_transpose or fc carrying its
// bias as its first epilogue stage), and elementwise stages become an `elementwise` kernel applying
// just that stage. The fusion passes then merge kernels; with `--no-fuse` this is the final shape.
import { paramFullName, type Graph, type Node } from "../ir/graph.js";
import { isActivationAttrs } from "../ops/activations.js";
import { opDefinition } from "../ops/registry.js";
import type { EpilogueStageSpec, KernelGraph, KernelNode, KernelValue, ParamRef } from "./kernelGraph.js";
import { PORTABLE_TARGET } from "../schedule/types.js";
import { valueOperand } from "./trainingWork.js";
import { mulGateLayout } from "../ir/shapes/merge.js";
import { channelsAndInner } from "../reference/value.js";


export function tensorRef(node: Node, name: string): ParamRef {
  const param = node.params.find((candidate) => candidate.name === name);
  if (param === undefined) throw new Error(`internal: ${node.name} has no parameter ${name}`);
  return { kind: "tensor", name: paramFullName(node, param) };
}

/**
 * The stage an elementwise layer applies (an add's operands are the kernel's inputs, not a stage; a
 * mul's first operand is, its second is read by its stage).
 */
function stageOf(graph: Graph, node: Node, valueOf: (layer: number) => number): EpilogueStageSpec[] {
  const attrs = node.attrs;
  if (isActivationAttrs(attrs)) return [{ kind: "activation", layer: node.id, attrs }];
  switch (attrs.op) {
    case "batchnorm":
      return [
        {
          kind: "batchnorm",
          layer: node.id,
          eps: attrs.eps,
          weight: tensorRef(node, "weight"),
          bias: tensorRef(node, "bias"),
          runningMean: tensorRef(node, "running_mean"),
          runningVar: tensorRef(node, "running_var"),
        },
      ];
    case "add":
      return [];
    case "mul": {
      const gate = graph.nodes[node.inputs[1]!]!;
      const layout = mulGateLayout(node.shape, gate.shape);
      if (layout === undefined) throw new Error(`internal: mul ${node.name} of shapes ${node.shape.join("x")} and ${gate.shape.join("x")}`);
      const elementsPerGate = layout === "same" ? 1 : channelsAndInner(node.shape).inner;
      return [{ kind: "mul", layer: node.id, value: valueOf(gate.id), elementsPerGate }];
    }
    default:
      throw new Error(`internal: ${node.name} (${attrs.op}) is not an elementwise stage`);
  }
}

export interface LowerOptions {
  /**
   * Lower for a training step: ops with a training forward (batchnorm on batch statistics, dropout
   * masks, max-pool switches; the registry's `trainingForward`) become training kernels.
   */
  training?: boolean;
  /**
   * Storage buffers one kernel may bind on the target (default: PORTABLE_TARGET's). An elementwise
   * kernel binds its operands and its output, so a larger `add` becomes a chain of partial sums.
   */
  maxStorageBindings?: number;
}

export function lowerToKernels(graph: Graph, options: LowerOptions = {}): KernelGraph {
  const maxOperands = (options.maxStorageBindings ?? PORTABLE_TARGET.limits.maxStorageBuffersPerShaderStage) - 1;
  if (maxOperands < 2) throw new Error(`internal: a kernel must bind at least 3 storage buffers, the target allows ${maxOperands + 1}`);
  const values: KernelValue[] = [];
  const kernels: KernelNode[] = [];
  const absorbed: KernelGraph["absorbed"] = [];
  const valueOfLayer = new Map<number, number>();
  const newValue = (layer: number): number => {
    const id = values.length;
    values.push({ id, layer, shape: graph.nodes[layer]!.shape.slice() });
    return id;
  };
  const valueOf = (layer: number): number => {
    const value = valueOfLayer.get(layer);
    if (value === undefined) throw new Error(`internal: layer ${graph.nodes[layer]?.name ?? layer} has no value yet`);
    return value;
  };
  const addKernel = (kernel: Omit<KernelNode, "id">): void => {
    kernels.push({ ...kernel, id: kernels.length });
  };

  for (const node of graph.nodes) {
    const definition = opDefinition(node.attrs.op);
    if (options.training === true && definition.trainingForward !== undefined && node.inputs.length === 1) {
      const inputValue = valueOf(node.inputs[0]!);
      const output = newValue(node.id);
      const inputShape = graph.nodes[node.inputs[0]!]!.shape;
      const forward = definition.trainingForward(node, node.attrs, { input: valueOperand(inputValue), output: valueOperand(output), inputShape });
      if (forward !== undefined) {
        addKernel({
          anchor: "training",
          anchorLayer: node.id,
          layers: [node.id],
          inputs: [inputValue],
          output,
          epilogue: [],
          store: { kind: "plain" },
          training: { ...forward, phase: "forward" },
        });
        valueOfLayer.set(node.id, output);
        continue;
      }
      values.pop();
    }
    const lowering = definition.lowering;
    switch (lowering.kind) {
      case "input": {
        const value = newValue(node.id);
        valueOfLayer.set(node.id, value);
        absorbed.push({ layer: node.id, how: "input", value });
        break;
      }
      case "view": {
        const value = valueOf(node.inputs[0]!);
        valueOfLayer.set(node.id, value);
        absorbed.push({ layer: node.id, how: "view", value });
        break;
      }
      case "anchor": {
        const attrs = node.attrs;
        const ownBias = (attrs.op === "conv" || attrs.op === "conv_transpose" || attrs.op === "fc") && attrs.bias;
        const output = newValue(node.id);
        addKernel({
          anchor: lowering.anchor,
          anchorLayer: node.id,
          layers: [node.id],
          inputs: node.inputs.map(valueOf),
          output,
          epilogue: ownBias ? [{ kind: "bias", layer: node.id, param: tensorRef(node, "bias") }] : [],
          store: { kind: "plain" },
        });
        valueOfLayer.set(node.id, output);
        break;
      }
      case "stage": {
        let operands = (node.attrs.op === "mul" ? node.inputs.slice(0, 1) : node.inputs).map(valueOf);
        // An add of many operands: partial sums of maxOperands at a time, each feeding the next.
        while (operands.length > maxOperands) {
          const partial = newValue(node.id);
          addKernel({
            anchor: "elementwise",
            anchorLayer: node.id,
            layers: [node.id],
            inputs: operands.slice(0, maxOperands),
            output: partial,
            epilogue: [],
            store: { kind: "plain" },
            partialOf: node.id,
          });
          operands = [partial, ...operands.slice(maxOperands)];
        }
        const output = newValue(node.id);
        addKernel({ anchor: "elementwise", anchorLayer: node.id, layers: [node.id], inputs: operands, output, epilogue: stageOf(graph, node, valueOf), store: { kind: "plain" } });
        valueOfLayer.set(node.id, output);
        break;
      }
    }
  }
  return {
    source: graph,
    values,
    kernels,
    absorbed,
    inputs: graph.inputs.map(valueOf),
    outputs: graph.outputs.map(valueOf),
    derived: [],
    notes: [],
  };
}
