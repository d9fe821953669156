// The built-in layers: their signatures (positional order, aliases, defaults) and how their arguments
// become IR attrs. Adding a layer is one entry here; a layer that is a new op also needs its op
// definition in src/ops/ (shape function, reference, traits, lowering). Several layers may make one op
// (maxpool, avgpool and l2pool are `pool`; conv1d is `conv`), so this table is the language's, not the ops'.
import type { OpAttrs, Padding2d, PoolKind, Shape } from "../ir/graph.js";
import type { WindowGeometry } from "../ir/shapes/spatial.js";
import { dilatedKernel, samePadding } from "../ir/shapes/window.js";
import type { LayerArgs, PaddingSpec } from "./arguments.js";
import type { SignatureParam } from "./bind.js";

export interface LayerSpec {
  name: string;
  params: SignatureParam[];
  /** add/mul/concat: their inputs are the values given as arguments, not the chain's input. */
  takesValues?: boolean;
  /** How a values op is called, for hints (`mul(value, gate)`); default `NAME(a, b, ...)`. */
  valuesUsage?: string;
  /** conv and fc: the layer has a schedule to choose, so it may carry a `@kind` annotation. */
  hasSchedule?: boolean;
  /** The attrs for this call on an input of the given shape (undefined: unknown after an earlier error). */
  build(args: LayerArgs, input: Shape | undefined): OpAttrs | undefined;
}

const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"] as const;
const ROUNDINGS = ["floor", "ceil"] as const;
const CONV_ROUNDINGS = ["exact", "floor", "ceil"] as const;
const UPSAMPLE_MODES = ["nearest", "bilinear"] as const;

const required = (name: string, aliases: string[] = []): SignatureParam => ({ name, aliases, required: true });
const optional = (name: string, defaultText: string, aliases: string[] = []): SignatureParam => ({ name, aliases, required: false, defaultText });

function convSpec(name: "conv" | "conv1d"): LayerSpec {
  return {
    name,
    hasSchedule: true,
    params: [
      required("filters", ["out"]),
      required("kernel", ["k"]),
      optional("stride", "1"),
      optional("pad", "0", ["padding"]),
      optional("dilation", "1"),
      optional("groups", "1"),
      optional("bias", "true"),
      optional("padding_mode", "zeros"),
      optional("rounding", "exact"),
    ],
    build(args, input) {
      const spatialRank: 1 | 2 = name === "conv1d" || input?.length === 2 ? 1 : 2;
      const outChannels = args.integer("filters", 1);
      const kernel = args.pair("kernel", [1, 1], spatialRank);
      const stride = args.pair("stride", [1, 1], spatialRank);
      const dilation = args.pair("dilation", [1, 1], spatialRank);
      const paddingSpec = args.padding("pad", spatialRank);
      const groups = args.integer("groups", 1);
      const bias = args.bool("bias", true);
      const paddingMode = args.choice("padding_mode", PADDING_MODES, "zeros");
      const rounding = args.choice("rounding", CONV_ROUNDINGS, "exact");
      if (args.failed || input === undefined) return undefined;
      const sliding = { kernel, stride, dilation };
      let padding = resolvePadding(paddingSpec, input, spatialRank, sliding);
      // ceil on a conv: pad the bottom/right just enough for the last window (no PyTorch equivalent
      // exists, so it is expressed as padding and the IR stays exact).
      if (rounding === "ceil") padding = padForCeil(padding, input, spatialRank, sliding);
      const attrs: OpAttrs = { op: "conv", spatialRank, outChannels, kernel, stride, dilation, padding, paddingMode, groups, bias };
      if (rounding === "floor") attrs.rounding = "floor";
      return attrs;
    },
  };
}

function poolSpec(kind: PoolKind): LayerSpec {
  const params = [required("window", ["kernel", "k"]), optional("stride", "window"), optional("pad", "0", ["padding"]), optional("rounding", "floor")];
  if (kind === "avg") params.push(optional("count_pad", "true", ["count_include_pad"]));
  return {
    name: `${kind}pool`,
    params,
    build(args, input) {
      const spatialRank: 1 | 2 = input?.length === 2 ? 1 : 2;
      const window = args.pair("window", [1, 1], spatialRank);
      const stride = args.pair("stride", window, spatialRank);
      const paddingSpec = args.padding("pad", spatialRank);
      const rounding = args.choice("rounding", ROUNDINGS, "floor");
      const countPadding = kind === "avg" ? args.bool("count_pad", true) : false;
      if (args.failed || input === undefined) return undefined;
      const padding = resolvePadding(paddingSpec, input, spatialRank, { kernel: window, stride, dilation: [1, 1] });
      return { op: "pool", kind, spatialRank, window, stride, padding, rounding, countPadding };
    },
  };
}

function simple(name: string, attrs: OpAttrs): LayerSpec {
  return { name, params: [], build: (args) => (args.failed ? undefined : attrs) };
}

function withAlias(spec: LayerSpec, name: string): LayerSpec {
  return { ...spec, name };
}

const fc: LayerSpec = {
  name: "fc",
  hasSchedule: true,
  params: [required("out", ["features"]), optional("bias", "true")],
  build(args) {
    const outFeatures = args.integer("out", 1);
    const bias = args.bool("bias", true);
    return args.failed ? undefined : { op: "fc", outFeatures, bias };
  },
};

/** `conv_transpose(filters, kernel, stride=1, pad=0, output_padding=0, dilation=1, groups=1, bias=true)`: PyTorch's ConvTranspose2d. */
const convTranspose: LayerSpec = {
  name: "conv_transpose",
  params: [
    required("filters", ["out"]),
    required("kernel", ["k"]),
    optional("stride", "1"),
    optional("pad", "0", ["padding"]),
    optional("output_padding", "0"),
    optional("dilation", "1"),
    optional("groups", "1"),
    optional("bias", "true"),
  ],
  build(args) {
    const outChannels = args.integer("filters", 1);
    const kernel = args.pair("kernel", [1, 1], 2);
    const stride = args.pair("stride", [1, 1], 2);
    const padding = args.pair("pad", [0, 0], 2, 0);
    const outputPadding = args.pair("output_padding", [0, 0], 2, 0);
    const dilation = args.pair("dilation", [1, 1], 2);
    const groups = args.integer("groups", 1);
    const bias = args.bool("bias", true);
    return args.failed ? undefined : { op: "conv_transpose", outChannels, kernel, stride, dilation, padding, outputPadding, groups, bias };
  },
};

/** `upsample(scale, mode=nearest, align_corners=false)`: PyTorch's nn.Upsample(scale_factor=scale). */
const upsample: LayerSpec = {
  name: "upsample",
  params: [required("scale", ["scale_factor"]), optional("mode", "nearest"), optional("align_corners", "false")],
  build(args) {
    const scale = args.pair("scale", [1, 1], 2);
    const mode = args.choice("mode", UPSAMPLE_MODES, "nearest");
    const alignCorners = args.bool("align_corners", false);
    return args.failed ? undefined : { op: "upsample", scale, mode, alignCorners };
  },
};

const globalMaxPool = simple("global_maxpool", { op: "global_pool", kind: "max" });

const SPECS: LayerSpec[] = [
  convSpec("conv"),
  convSpec("conv1d"),
  convTranspose,
  upsample,
  poolSpec("max"),
  poolSpec("avg"),
  poolSpec("l2"),
  simple("global_avgpool", { op: "global_pool", kind: "avg" }),
  globalMaxPool,
  withAlias(globalMaxPool, "max_over_time"),
  fc,
  withAlias(fc, "linear"),
  simple("flatten", { op: "flatten" }),
  simple("relu", { op: "relu" }),
  {
    name: "leaky_relu",
    params: [optional("alpha", "0.01")],
    build: (args) => {
      const alpha = args.float("alpha", 0.01);
      return args.failed ? undefined : { op: "leaky_relu", alpha };
    },
  },
  {
    name: "elu",
    params: [optional("alpha", "1.0")],
    build: (args) => {
      const alpha = args.float("alpha", 1);
      return args.failed ? undefined : { op: "elu", alpha };
    },
  },
  simple("tanh", { op: "tanh" }),
  simple("sigmoid", { op: "sigmoid" }),
  simple("relu6", { op: "relu6" }),
  simple("hardsigmoid", { op: "hardsigmoid" }),
  simple("hardswish", { op: "hardswish" }),
  simple("silu", { op: "silu" }),
  simple("softmax", { op: "softmax" }),
  {
    name: "batchnorm",
    params: [optional("eps", "1e-5"), optional("momentum", "0.1")],
    build: (args) => {
      const eps = args.float("eps", 1e-5, { above: 0 });
      const momentum = args.float("momentum", 0.1, { atLeast: 0, atMost: 1 });
      return args.failed ? undefined : { op: "batchnorm", eps, momentum };
    },
  },
  {
    name: "dropout",
    params: [optional("p", "0.5")],
    build: (args) => {
      const p = args.float("p", 0.5, { atLeast: 0, below: 1 });
      return args.failed ? undefined : { op: "dropout", p };
    },
  },
  {
    name: "lrn",
    params: [optional("size", "5"), optional("alpha", "1e-4"), optional("beta", "0.75"), optional("k", "2")],
    build: (args) => {
      const size = args.integer("size", 5);
      const alpha = args.float("alpha", 1e-4);
      const beta = args.float("beta", 0.75);
      const k = args.float("k", 2, { above: 0 });
      return args.failed ? undefined : { op: "lrn", size, alpha, beta, k };
    },
  },
  { name: "add", params: [], takesValues: true, build: () => ({ op: "add" }) },
  { name: "mul", params: [], takesValues: true, valuesUsage: "mul(value, gate)", build: () => ({ op: "mul" }) },
  { name: "concat", params: [], takesValues: true, build: () => ({ op: "concat" }) },
];

export const LAYERS: ReadonlyMap<string, LayerSpec> = new Map(SPECS.map((spec) => [spec.name, spec]));

export const LAYER_NAMES: readonly string[] = SPECS.map((spec) => spec.name);

/** A window's kernel, stride and dilation ([height, width] each): what padding is derived from. */
type SlidingWindow = Omit<WindowGeometry, "padding">;

function resolvePadding(spec: PaddingSpec, input: Shape, spatialRank: 1 | 2, { kernel, stride, dilation }: SlidingWindow): Padding2d {
  if (spec.kind === "explicit") return spec.padding;
  const width = samePadding(input[input.length - 1]!, kernel[1], stride[1], dilation[1]);
  if (spatialRank === 1 || input.length < 3) return { top: 0, bottom: 0, left: width[0], right: width[1] };
  const height = samePadding(input[1]!, kernel[0], stride[0], dilation[0]);
  return { top: height[0], bottom: height[1], left: width[0], right: width[1] };
}

function padForCeil(padding: Padding2d, input: Shape, spatialRank: 1 | 2, { kernel, stride, dilation }: SlidingWindow): Padding2d {
  const extra = (size: number, axis: 0 | 1, before: number, after: number): number => {
    const span = size + before + after - dilatedKernel(kernel[axis], dilation[axis]);
    return span >= 0 && span % stride[axis] !== 0 ? stride[axis] - (span % stride[axis]) : 0;
  };
  const width = input[input.length - 1]!;
  const result = { ...padding, right: padding.right + extra(width, 1, padding.left, padding.right) };
  if (spatialRank === 2 && input.length === 3) result.bottom += extra(input[1]!, 0, padding.top, padding.bottom);
  return result;
}
