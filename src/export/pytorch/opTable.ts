// Every op kind in PyTorch terms: the torch.nn module owning its weights (ops with parameters) and its
// forward expression. Keyed by OpKind, so an op added to the IR without an entry here is a type error.
import type { Node, OpKind, Shape } from "../../ir/graph.js";
import { shapeSize } from "../../ir/graph.js";
import { onlyInput } from "../../ops/definition.js";
import type { OpAttrsOf } from "../../ops/registry.js";
import { convExpression, convModule, convTransposeModule } from "./convolution.js";
import { poolExpression } from "./pooling.js";
import type { ExportProblem } from "./problems.js";
import { pythonBool, pythonNumber, pythonString, pythonTuple } from "./pythonText.js";

/** What a layer's forward expression is made from. */
export interface ForwardContext<K extends OpKind> {
  node: Node;
  attrs: OpAttrsOf<K>;
  /** The Python expressions of its input values, in argument order. */
  inputs: readonly string[];
  inputShapes: readonly Shape[];
  /** Its module's expression (`self.c1`), for ops with a module. */
  module: string;
}

export type OpExport<K extends OpKind> =
  /** A graph input: an argument of forward(). */
  | { kind: "argument" }
  | {
      kind: "layer";
      /** The torch.nn module holding the layer's weights, for ops with parameters. */
      module?: (attrs: OpAttrsOf<K>, inputShape: Shape, node: Node) => string | ExportProblem;
      forward: (context: ForwardContext<K>) => string | ExportProblem;
    };

type OpExports = { [K in OpKind]: OpExport<K> };

/** `torch.flatten(x, 1)` unless the value is already flat ([F] per sample). */
function flattened(input: string, shape: Shape): string {
  return shape.length === 1 ? input : `torch.flatten(${input}, 1)`;
}

/** The spatial dims of an N, C, ... tensor of per-sample `shape`: (2, 3) for [C, H, W]. */
function spatialDims(shape: Shape): string {
  return pythonTuple(shape.slice(1).map((_size, index) => index + 2));
}

const EXPORTS: OpExports = {
  input: { kind: "argument" },
  conv: {
    kind: "layer",
    module: (attrs, inputShape) => convModule(attrs, inputShape),
    forward: ({ node, attrs, inputs, module }) => convExpression(node, attrs, onlyInput(inputs), module),
  },
  conv_transpose: {
    kind: "layer",
    module: (attrs, inputShape) => convTransposeModule(attrs, inputShape),
    forward: ({ inputs, module }) => `${module}(${onlyInput(inputs)})`,
  },
  // nn.Upsample's semantics (F.interpolate); align_corners is bilinear's only.
  upsample: {
    kind: "layer",
    forward: ({ attrs, inputs }) =>
      `F.interpolate(${onlyInput(inputs)}, scale_factor=${pythonTuple(attrs.scale.map((factor) => `${factor}.0`))}, mode=${pythonString(attrs.mode)}` +
      `${attrs.mode === "bilinear" ? `, align_corners=${pythonBool(attrs.alignCorners)}` : ""})`,
  },
  fc: {
    kind: "layer",
    module: (attrs, inputShape) => `nn.Linear(${shapeSize(inputShape)}, ${attrs.outFeatures}${attrs.bias ? "" : ", bias=False"})`,
    forward: ({ inputs, inputShapes, module }) => `${module}(${flattened(onlyInput(inputs), inputShapes[0]!)})`,
  },
  pool: { kind: "layer", forward: ({ node, attrs, inputs, inputShapes }) => poolExpression(node, attrs, onlyInput(inputs), inputShapes[0]!) },
  global_pool: {
    kind: "layer",
    // torch.amax, like cnnc's global max, keeps a NaN.
    forward: ({ attrs, inputs, inputShapes }) =>
      `torch.${attrs.kind === "max" ? "amax" : "mean"}(${onlyInput(inputs)}, dim=${spatialDims(inputShapes[0]!)}, keepdim=True)`,
  },
  flatten: { kind: "layer", forward: ({ inputs }) => `torch.flatten(${onlyInput(inputs)}, 1)` },
  relu: { kind: "layer", forward: ({ inputs }) => `F.relu(${onlyInput(inputs)})` },
  leaky_relu: { kind: "layer", forward: ({ attrs, inputs }) => `F.leaky_relu(${onlyInput(inputs)}, negative_slope=${pythonNumber(attrs.alpha)})` },
  elu: { kind: "layer", forward: ({ attrs, inputs }) => `F.elu(${onlyInput(inputs)}, alpha=${pythonNumber(attrs.alpha)})` },
  tanh: { kind: "layer", forward: ({ inputs }) => `torch.tanh(${onlyInput(inputs)})` },
  sigmoid: { kind: "layer", forward: ({ inputs }) => `torch.sigmoid(${onlyInput(inputs)})` },
  relu6: { kind: "layer", forward: ({ inputs }) => `F.relu6(${onlyInput(inputs)})` },
  hardsigmoid: { kind: "layer", forward: ({ inputs }) => `F.hardsigmoid(${onlyInput(inputs)})` },
  hardswish: { kind: "layer", forward: ({ inputs }) => `F.hardswish(${onlyInput(inputs)})` },
  silu: { kind: "layer", forward: ({ inputs }) => `F.silu(${onlyInput(inputs)})` },
  // Over the channel (feature) axis at every position, as cnnc's softmax.
  softmax: { kind: "layer", forward: ({ inputs }) => `F.softmax(${onlyInput(inputs)}, dim=1)` },
  batchnorm: {
    kind: "layer",
    module: (attrs, inputShape, node) => {
      const settings = `${inputShape[0]}, eps=${pythonNumber(attrs.eps)}, momentum=${pythonNumber(attrs.momentum)}`;
      if (inputShape.length <= 2) return `nn.BatchNorm1d(${settings})`;
      if (inputShape.length === 3) return `nn.BatchNorm2d(${settings})`;
      return {
        node,
        code: "export-unsupported",
        message: `batchnorm \`${node.name}\` normalizes a ${inputShape.length}-D value [${inputShape.join(", ")}]; the PyTorch export writes BatchNorm1d and BatchNorm2d only`,
        hint: "normalize a [F], [C, L] or [C, H, W] value",
      };
    },
    forward: ({ inputs, module }) => `${module}(${onlyInput(inputs)})`,
  },
  dropout: { kind: "layer", forward: ({ attrs, inputs }) => `F.dropout(${onlyInput(inputs)}, p=${pythonNumber(attrs.p)}, training=self.training)` },
  lrn: {
    kind: "layer",
    // F.local_response_norm needs an N, C, ... tensor of 3 dims at least: a flat [F] gets a unit axis.
    forward: ({ attrs, inputs, inputShapes }) => {
      const settings = `size=${attrs.size}, alpha=${pythonNumber(attrs.alpha)}, beta=${pythonNumber(attrs.beta)}, k=${pythonNumber(attrs.k)}`;
      const input = onlyInput(inputs);
      return inputShapes[0]!.length === 1 ? `F.local_response_norm(${input}.unsqueeze(2), ${settings}).squeeze(2)` : `F.local_response_norm(${input}, ${settings})`;
    },
  },
  add: { kind: "layer", forward: ({ inputs }) => inputs.join(" + ") },
  // A per-channel gate of fewer axes ([N, C] from an fc) gets unit spatial axes, as cnnc lines it up by channel.
  mul: {
    kind: "layer",
    forward: ({ inputs, inputShapes }) => {
      const [value, gate] = inputs;
      const missing = inputShapes[0]!.length - inputShapes[1]!.length;
      return `${value} * ${gate}${missing > 0 ? `[..., ${Array.from({ length: missing }, () => "None").join(", ")}]` : ""}`;
    },
  },
  concat: { kind: "layer", forward: ({ inputs }) => `torch.cat([${inputs.join(", ")}], dim=1)` },
};

export function opExport<K extends OpKind>(op: K): OpExport<K> {
  return EXPORTS[op];
}
