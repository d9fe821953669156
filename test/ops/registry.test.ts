// The op registry: every op has one definition, and its declared traits, arity and lowering agree with
// what its shape function, reference and the passes reading it actually do.
import { describe, expect, it } from "vitest";
import type { Node, OpKind, Shape } from "../../src/ir/graph.js";
import { shapeSize } from "../../src/ir/graph.js";
import { opLabel } from "../../src/ir/opLabel.js";
import { inferNodeFacts } from "../../src/ir/shapes/infer.js";
import { IN_PLACE_OPS } from "../../src/ir/verify.js";
import { ACTIVATION_KINDS, activationDefinition, isActivationAttrs, type ActivationKind } from "../../src/ops/activations.js";
import { OP_KINDS, opDefinition, type OpAttrsOf } from "../../src/ops/registry.js";
import { markInPlace } from "../../src/passes/markInPlace.js";
import { runReference } from "../../src/reference/interpret.js";
import { makeValue, type RefValue } from "../../src/reference/value.js";
import { makeTensor, type WeightMap } from "../../src/tensor.js";
import { LAYERS } from "../../src/elaborate/layers.js";
import { conv, pad, pool } from "../ir/build.js";
import { makeGraph, testSpan } from "../ir/graphs.js";
import { seededRandom } from "../support/seededRandom.js";

/** One attrs value per op kind; typed so that a new op kind without a sample is a type error here. */
const SAMPLES: { [K in OpKind]: OpAttrsOf<K> } = {
  input: { op: "input" },
  conv: conv(3, 1, { padding: pad(0) }),
  conv_transpose: { op: "conv_transpose", outChannels: 2, kernel: [1, 1], stride: [1, 1], dilation: [1, 1], padding: [0, 0], outputPadding: [0, 0], groups: 1, bias: true },
  upsample: { op: "upsample", scale: [2, 1], mode: "bilinear", alignCorners: false },
  fc: { op: "fc", outFeatures: 3, bias: true },
  pool: pool("avg", 1),
  global_pool: { op: "global_pool", kind: "max" },
  flatten: { op: "flatten" },
  relu: { op: "relu" },
  leaky_relu: { op: "leaky_relu", alpha: 0.1 },
  elu: { op: "elu", alpha: 0.7 },
  tanh: { op: "tanh" },
  sigmoid: { op: "sigmoid" },
  relu6: { op: "relu6" },
  hardsigmoid: { op: "hardsigmoid" },
  hardswish: { op: "hardswish" },
  silu: { op: "silu" },
  softmax: { op: "softmax" },
  batchnorm: { op: "batchnorm", eps: 1e-5, momentum: 0.1 },
  dropout: { op: "dropout", p: 0.5 },
  lrn: { op: "lrn", size: 3, alpha: 1e-4, beta: 0.75, k: 2 },
  add: { op: "add" },
  mul: { op: "mul" },
  concat: { op: "concat" },
};
const ALL_KINDS = Object.keys(SAMPLES) as OpKind[];

const random = seededRandom(7);
const randomShape = (): Shape => Array.from({ length: 1 + Math.floor(random() * 3) }, () => 1 + Math.floor(random() * 5));

/** The shapes an op reads in these tests: one shape, twice over for ops reading several values. */
function inputShapesFor(op: OpKind, shape: Shape): Shape[] {
  const arity = opDefinition(op).arity;
  return arity === "none" ? [] : arity === "one" ? [shape] : [shape, shape.slice()];
}

/** A node of `op` over inputs of `shape`, its facts from the shape function. */
function nodeFor(op: OpKind, shape: Shape): Node {
  const result = inferNodeFacts(SAMPLES[op], inputShapesFor(op, shape), { declaredShape: shape });
  if (!result.ok) throw new Error(`${op} on ${shape.join("x")}: ${result.problem.message}`);
  return { id: 0, name: "layer", attrs: SAMPLES[op], inputs: [], span: testSpan, ...result.facts };
}

/** Random values for every parameter of `node` (variances positive). */
function randomWeights(node: Node): WeightMap {
  const weights: WeightMap = new Map();
  for (const param of node.params) {
    const data = Float32Array.from({ length: shapeSize(param.shape) }, () => (param.name === "running_var" ? 0.5 + random() : random() * 2 - 1));
    weights.set(`${node.name}.${param.name}`, makeTensor(param.shape, data));
  }
  return weights;
}

function randomValue(batch: number, shape: Shape): RefValue {
  const value = makeValue(batch, shape);
  for (let i = 0; i < value.data.length; i++) value.data[i] = random() * 8 - 4;
  return value;
}

function referenceOf(node: Node, inputs: RefValue[], weights: WeightMap): RefValue {
  const reference = opDefinition(node.attrs.op).reference;
  if (reference === undefined) throw new Error(`${node.attrs.op} has no reference`);
  return reference(node, node.attrs, inputs, weights);
}

describe("op registry", () => {
  it("has a reference gradient for every op but the graph input", () => {
    // batchnorm's is the inference one (running statistics); training mode's is src/reference/training/batchnorm.ts.
    const missing = OP_KINDS.filter((op) => opDefinition(op).referenceGradient === undefined);
    expect(missing).toEqual(["input"]);
  });

  it("has one definition per op kind, under its own tag", () => {
    expect([...OP_KINDS].sort()).toEqual([...ALL_KINDS].sort());
    for (const op of ALL_KINDS) expect(opDefinition(op).op).toBe(op);
  });

  it("gives graph inputs, and only them, no inputs, no reference and the input lowering", () => {
    for (const op of OP_KINDS) {
      const definition = opDefinition(op);
      const isInput = definition.lowering.kind === "input";
      expect(definition.arity === "none", op).toBe(isInput);
      expect(definition.reference === undefined, op).toBe(isInput);
    }
  });

  it("keeps the input's shape for every elementwise op, on random shapes", () => {
    const elementwise = OP_KINDS.filter((op) => opDefinition(op).traits.elementwise);
    expect(elementwise.length).toBeGreaterThan(0);
    for (let trial = 0; trial < 20; trial++) {
      const shape = randomShape();
      for (const op of elementwise) expect(nodeFor(op, shape).shape, `${op} on ${shape.join("x")}`).toEqual(shape);
    }
  });

  it("computes each output element of an elementwise op from the same input element only", () => {
    for (const op of OP_KINDS.filter((kind) => opDefinition(kind).traits.elementwise)) {
      const node = nodeFor(op, [3, 2, 2]);
      const weights = randomWeights(node);
      const inputs = inputShapesFor(op, node.shape).map((shape) => randomValue(2, shape));
      // The changed element moves from 0.5 to 2, where no activation is flat (relu6, hardsigmoid saturate beyond).
      const changed = 5;
      inputs[0]!.data[changed] = 0.5;
      // A copy: a view (dropout) may return its input's own array.
      const before = referenceOf(node, inputs, weights).data.slice();
      inputs[0]!.data[changed] = inputs[0]!.data[changed]! + 1.5;
      const after = referenceOf(node, inputs, weights).data;
      before.forEach((value, i) => {
        if (i === changed) expect(after[i], `${op} element ${i}`).not.toBe(value);
        else expect(after[i], `${op} element ${i}`).toBe(value);
      });
    }
  });

  it("lets only one-input ops that keep their input's shape write in place", () => {
    for (const op of OP_KINDS.filter((kind) => opDefinition(kind).traits.inPlace)) {
      expect(opDefinition(op).arity, op).toBe("one");
      for (let trial = 0; trial < 5; trial++) {
        const shape = [2 + Math.floor(random() * 3), 1 + Math.floor(random() * 4), 1 + Math.floor(random() * 4)];
        expect(nodeFor(op, shape).shape, op).toEqual(shape);
      }
    }
  });

  it("derives IN_PLACE_OPS from the inPlace trait", () => {
    expect([...IN_PLACE_OPS].sort()).toEqual(OP_KINDS.filter((op) => opDefinition(op).traits.inPlace).sort());
    expect([...IN_PLACE_OPS].sort()).toEqual(["dropout", "elu", "hardsigmoid", "hardswish", "leaky_relu", "relu", "relu6", "sigmoid", "silu", "softmax", "tanh"]);
  });

  it("marks a node in place exactly when its op has the inPlace trait (and nothing else forbids it)", () => {
    for (const op of OP_KINDS.filter((kind) => opDefinition(kind).arity === "one")) {
      const graph = makeGraph(op, [
        { name: "x", attrs: { op: "input" }, shape: [3, 4, 4] },
        { name: "c", attrs: conv(3, 1) },
        { name: "layer", attrs: SAMPLES[op] },
        { name: "out", attrs: { op: "flatten" } },
      ]);
      expect(markInPlace(graph).nodes[2]!.inPlace === true, op).toBe(opDefinition(op).traits.inPlace);
    }
  });

  it("makes a view's value its input's values, unchanged", () => {
    for (const op of OP_KINDS.filter((kind) => opDefinition(kind).lowering.kind === "view")) {
      expect(opDefinition(op).arity, op).toBe("one");
      const node = nodeFor(op, [3, 2, 4]);
      expect(shapeSize(node.shape), op).toBe(24);
      const input = randomValue(2, [3, 2, 4]);
      expect(referenceOf(node, [input], new Map()).data, op).toEqual(input.data);
    }
  });

  it("lowers only elementwise ops to epilogue stages", () => {
    for (const op of OP_KINDS.filter((kind) => opDefinition(kind).lowering.kind === "stage")) {
      expect(opDefinition(op).traits.elementwise, op).toBe(true);
    }
  });

  it("refuses a wrong number of inputs before the shape function runs", () => {
    for (const op of OP_KINDS) {
      const arity = opDefinition(op).arity;
      const wrong: Shape[] = arity === "none" ? [[2]] : arity === "one" ? [[2], [2]] : [[2]];
      const result = inferNodeFacts(SAMPLES[op], wrong, { declaredShape: [2] });
      expect(result.ok, op).toBe(false);
      if (!result.ok) expect(result.problem.code, op).toBe("wrong-input-count");
    }
  });

  it("labels ops as people say them", () => {
    expect(OP_KINDS.map((op) => opLabel(SAMPLES[op]))).toEqual(OP_KINDS.map((op) => (op === "pool" ? "avgpool" : op === "global_pool" ? "global_maxpool" : op)));
    expect(opLabel(conv(2, [1, 3], { spatialRank: 1 }))).toBe("conv1d");
    expect(opLabel(pool("l2", 2))).toBe("l2pool");
  });
});

describe("activation table", () => {
  const activationSamples = ACTIVATION_KINDS.map((op) => SAMPLES[op]);

  it("has exactly the activation ops, each an in-place epilogue stage with a layer of its name", () => {
    expect(OP_KINDS.filter((op) => isActivationAttrs(SAMPLES[op]))).toEqual([...ACTIVATION_KINDS]);
    for (const op of ACTIVATION_KINDS) {
      expect(opDefinition(op).lowering.kind, op).toBe("stage");
      expect(opDefinition(op).traits, op).toEqual({ elementwise: true, inPlace: true });
      expect(LAYERS.has(op), op).toBe(true);
    }
  });

  it("gives each activation a float64 reference that keeps NaN and has the function's limits", () => {
    // hardswish and silu at -Inf are -Inf * 0 = NaN in PyTorch's formulas, and so in the reference.
    const limits: Record<ActivationKind, [number, number]> = {
      relu: [0, Infinity],
      leaky_relu: [-Infinity, Infinity],
      elu: [-0.7, Infinity],
      tanh: [-1, 1],
      sigmoid: [0, 1],
      relu6: [0, 6],
      hardsigmoid: [0, 1],
      hardswish: [Number.NaN, Infinity],
      silu: [Number.NaN, Infinity],
    };
    for (const attrs of activationSamples) {
      const activation = activationDefinition(attrs.op);
      expect(activation.reference(attrs, Number.NaN), attrs.op).toBeNaN();
      expect([activation.reference(attrs, -Infinity), activation.reference(attrs, Infinity)], attrs.op).toEqual(limits[attrs.op]);
      expect(activation.reference(attrs, 2), attrs.op).toBeGreaterThan(activation.reference(attrs, 1));
    }
  });

  it("gives each activation a WGSL expression of its argument, with its parameter as a literal", () => {
    const literal = (value: number): string => `LITERAL(${value})`;
    for (const attrs of activationSamples) {
      const wgsl = activationDefinition(attrs.op).finiteWgsl(attrs, "arg", literal);
      expect(wgsl, attrs.op).toContain("arg");
      expect(wgsl.split("(").length, attrs.op).toBe(wgsl.split(")").length);
      if ("alpha" in attrs) expect(wgsl, attrs.op).toContain(`LITERAL(${attrs.alpha})`);
      else expect(wgsl, attrs.op).not.toContain("LITERAL");
    }
  });

  it("labels each activation with its parameter", () => {
    expect(activationSamples.map((attrs) => activationDefinition(attrs.op).label(attrs))).toEqual(["relu", "leaky_relu(0.1)", "elu(0.7)", "tanh", "sigmoid", "relu6", "hardsigmoid", "hardswish", "silu"]);
  });

  it("runs activations through the reference interpreter from the table", () => {
    const graph = makeGraph("Elu", [
      { name: "x", attrs: { op: "input" }, shape: [4] },
      { name: "act", attrs: SAMPLES.elu },
    ]);
    const values = [-2, -0.5, 0, 3];
    const output = runReference(graph, new Map([["x", makeTensor([1, 4], Float32Array.from(values))]]), new Map()).outputs.get("act")!;
    expect(Array.from(output.data)).toEqual(values.map((x) => Math.fround(x > 0 ? x : 0.7 * (Math.exp(x) - 1))));
  });
});
