// Hand-built graphs for IR and pass tests, with facts filled in by the shape functions.
import type { SourceSpan } from "../../grammar/ast.js";
import type { Graph, Node, OpAttrs, Shape } from "../../src/ir/graph.js";
import { inferNodeFacts } from "../../src/ir/shapes/infer.js";
import { conv, pad, pool } from "./build.js";

export const testSpan: SourceSpan = { file: "test.cnn", startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

export interface NodeSpec {
  name: string;
  attrs: OpAttrs;
  inputs?: number[];
  shape?: Shape; // for inputs
}

export function makeGraph(name: string, specs: NodeSpec[], outputs?: number[]): Graph {
  const nodes: Node[] = [];
  specs.forEach((spec, id) => {
    const inputs = spec.inputs ?? (spec.attrs.op === "input" ? [] : [id - 1]);
    const result = inferNodeFacts(spec.attrs, inputs.map((i) => nodes[i]!.shape), { declaredShape: spec.shape ?? [] });
    if (!result.ok) throw new Error(`test graph node ${spec.name}: ${result.problem.message}`);
    nodes.push({ id, name: spec.name, attrs: spec.attrs, inputs, span: testSpan, ...result.facts });
  });
  return {
    name,
    nodes,
    inputs: nodes.filter((n) => n.attrs.op === "input").map((n) => n.id),
    outputs: outputs ?? [nodes.length - 1],
  };
}

/** The notes' residual pattern: conv -> bn -> relu, a shortcut, add, relu, then a classifier. */
export function residualGraph(): Graph {
  return makeGraph("Residual", [
    { name: "image", attrs: { op: "input" }, shape: [3, 8, 8] },
    { name: "conv1", attrs: conv(4, 3, { padding: pad(1), bias: false }) },
    { name: "bn1", attrs: { op: "batchnorm", eps: 1e-5, momentum: 0.1 } },
    { name: "relu1", attrs: { op: "relu" } },
    { name: "conv2", attrs: conv(4, 3, { padding: pad(1) }) },
    { name: "shortcut", attrs: conv(4, 1), inputs: [0] },
    { name: "add1", attrs: { op: "add" }, inputs: [4, 5] },
    { name: "relu2", attrs: { op: "relu" } },
    { name: "pool1", attrs: pool("max", 2) },
    { name: "fc", attrs: { op: "fc", outFeatures: 10, bias: true } },
    { name: "softmax1", attrs: { op: "softmax" } },
  ]);
}
