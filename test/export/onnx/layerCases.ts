// Small random networks that between them reach every branch of the ONNX exporter: asymmetric and
// `same` padding, every padding_mode, dilation, groups, 1-D layers, floor and ceil rounding, count_pad,
// odd and even LRN sizes, variadic add and concat, every per-channel gate of mul, conv_transpose's
// output_padding, each upsample mode, several outputs. Shapes and attributes are drawn from a seeded
// generator, so every run draws the same networks.
import { formatDiagnostics, hasErrors } from "../../../grammar/diagnostics.js";
import { compileSource } from "../../../src/compile.js";
import type { Graph, OpKind } from "../../../src/ir/graph.js";
import { seededRandom } from "../../support/seededRandom.js";

const random = seededRandom(20260817);

function between(low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function pick<T>(choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}

export function compileLayerNetwork(source: string): Graph {
  const result = compileSource(source, "layer.cnn", { verify: true });
  if (result.graph === undefined || hasErrors(result.diagnostics)) {
    throw new Error(`test network does not compile:\n${source}\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  }
  return result.graph;
}

function network(input: string, body: string): string {
  return `network Layer {\n  input x: ${input}\n  ${body}\n}\n`;
}

/** One network to export, for a variant (a padding mode, a pool kind...) with freshly drawn shapes. */
export interface LayerCase {
  name: string;
  ops: OpKind[];
  variants: readonly string[];
  source(variant: string): string;
}

const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];
const POOL_VARIANTS = ["maxpool floor", "maxpool ceil", "l2pool floor", "l2pool ceil", "avgpool floor true", "avgpool ceil true", "avgpool floor false", "avgpool ceil false"];

export const LAYER_CASES: LayerCase[] = [
  {
    name: "conv: asymmetric padding, stride, dilation, groups, every padding mode, floor rounding",
    ops: ["conv"],
    variants: PADDING_MODES,
    source: (mode) => {
      const groups = pick([1, 2]);
      const pads = [between(0, 2), between(0, 2), between(0, 2), between(0, 2)];
      const options = `stride=${between(1, 2)}x${between(1, 3)}, dilation=${between(1, 2)}x${between(1, 2)}, groups=${groups}, bias=${pick(["true", "false"])}`;
      const conv = `conv(${groups * between(1, 3)}, ${between(1, 3)}x${between(1, 3)}, pad=[${pads.join(", ")}], padding_mode=${mode}, ${options}, rounding=floor)`;
      return network(`${groups * between(1, 3)}x${between(6, 11)}x${between(6, 11)}`, conv);
    },
  },
  {
    name: "conv: pad=same with every padding mode",
    ops: ["conv"],
    variants: PADDING_MODES,
    source: (mode) => network(`${between(1, 3)}x${between(5, 9)}x${between(5, 9)}`, `conv(${between(1, 4)}, ${between(2, 4)}, stride=${between(1, 2)}, pad=same, padding_mode=${mode})`),
  },
  {
    name: "conv1d: padding, stride, dilation, groups, every padding mode",
    ops: ["conv"],
    variants: PADDING_MODES,
    source: (mode) => {
      const groups = pick([1, 2]);
      const options = `stride=${between(1, 2)}, dilation=${between(1, 2)}, groups=${groups}, padding_mode=${mode}, rounding=floor`;
      return network(`${groups * between(1, 3)}x${between(7, 12)}`, `conv1d(${groups * between(1, 3)}, ${between(1, 4)}, pad=[${between(0, 2)}, ${between(0, 2)}], ${options})`);
    },
  },
  {
    name: "max, avg and l2 pools: asymmetric padding, floor and ceil rounding, count_pad",
    ops: ["pool"],
    variants: POOL_VARIANTS,
    source: (variant) => {
      const [kind, rounding, countPad] = variant.split(" ");
      const window = between(2, 4);
      const half = Math.floor(window / 2);
      const pads = `[${between(0, half)}, ${between(0, half)}, ${between(0, half)}, ${between(0, half)}]`;
      const count = countPad === undefined ? "" : `, count_pad=${countPad}`;
      return network(`${between(1, 3)}x${between(6, 11)}x${between(6, 11)}`, `${kind}(${window}, stride=${between(2, 3)}, pad=${pads}, rounding=${rounding}${count})`);
    },
  },
  {
    name: "pools: pad=same and non-square windows",
    ops: ["pool"],
    variants: ["maxpool", "avgpool", "l2pool"],
    source: (kind) => network(`${between(1, 3)}x${between(5, 9)}x${between(5, 9)}`, `${kind}(${between(2, 3)}x${between(1, 3)}, stride=${between(1, 3)}, pad=same)`),
  },
  {
    name: "1-D pools",
    ops: ["pool"],
    variants: POOL_VARIANTS,
    source: (variant) => {
      const [kind, rounding, countPad] = variant.split(" ");
      const count = countPad === undefined ? "" : `, count_pad=${countPad}`;
      return network(`${between(1, 3)}x${between(7, 12)}`, `${kind}(${between(2, 3)}, stride=${between(2, 3)}, pad=1, rounding=${rounding}${count})`);
    },
  },
  {
    name: "global pools on volumes and sequences",
    ops: ["global_pool"],
    variants: ["global_avgpool volume", "global_avgpool sequence", "global_maxpool volume", "global_maxpool sequence"],
    source: (variant) => {
      const [layer, input] = variant.split(" ");
      return network(input === "volume" ? `${between(1, 4)}x${between(2, 6)}x${between(2, 6)}` : `${between(1, 4)}x${between(2, 9)}`, layer!);
    },
  },
  {
    name: "fc on a volume and on a vector, flatten",
    ops: ["fc", "flatten"],
    variants: ["with bias", "without bias"],
    source: (variant) => {
      const bias = variant === "with bias" ? "true" : "false";
      return network(`${between(1, 3)}x${between(2, 5)}x${between(2, 5)}`, `fc(${between(2, 6)}, bias=${bias}) -> flatten -> fc(${between(1, 4)}, bias=${bias})`);
    },
  },
  {
    name: "activations, softmax and dropout",
    ops: ["relu", "leaky_relu", "elu", "tanh", "sigmoid", "softmax", "dropout"],
    variants: ["chain"],
    source: () => {
      const alpha = (between(1, 30) / 10).toFixed(1);
      return network(`${between(2, 4)}x${between(2, 5)}x${between(2, 5)}`, `relu -> leaky_relu(${alpha}) -> elu(${alpha}) -> dropout -> tanh -> sigmoid -> softmax`);
    },
  },
  {
    name: "softmax and batchnorm over features, channels and sequences",
    ops: ["softmax", "batchnorm"],
    variants: ["features", "volume", "sequence"],
    source: (variant) => {
      const input = variant === "features" ? `${between(2, 6)}` : variant === "volume" ? `${between(2, 4)}x${between(2, 5)}x${between(2, 5)}` : `${between(2, 4)}x${between(3, 7)}`;
      return network(input, `batchnorm(eps=${pick(["1e-5", "0.1"])}, momentum=${pick(["0.1", "0.5"])}) -> softmax`);
    },
  },
  {
    name: "lrn: odd and even sizes on volumes and sequences",
    ops: ["lrn"],
    variants: ["odd volume", "even volume", "odd sequence", "even sequence"],
    source: (variant) => {
      const [parity, input] = variant.split(" ");
      const size = 2 * between(0, 2) + (parity === "odd" ? 1 : 2);
      const shape = input === "volume" ? `${between(3, 8)}x${between(2, 5)}x${between(2, 5)}` : `${between(3, 8)}x${between(3, 7)}`;
      return network(shape, `lrn(size=${size}, alpha=${pick(["1e-4", "0.5"])}, beta=${pick(["0.75", "1.5"])}, k=${pick(["2", "1"])})`);
    },
  },
  {
    name: "add of two and three values, concat",
    ops: ["add", "concat", "input"],
    variants: ["branches"],
    source: () => {
      const body = [`a = conv(${between(1, 3)}, 3, pad=1)`, "b = x -> conv(2, 1)", "c = x -> relu -> conv(2, 1)", "s = add(b, c)", "t = add(b, c, s)", "concat(a, t, s)"];
      return network(`${between(1, 3)}x${between(3, 6)}x${between(3, 6)}`, body.join("\n  "));
    },
  },
  {
    name: "several outputs, one of them read by later layers",
    ops: ["input"],
    variants: ["heads"],
    source: () => {
      const body = [
        `trunk = conv(${between(1, 4)}, 3, pad=1) -> relu`,
        `boxes = trunk -> conv(${between(1, 4)}, 1)`,
        `scores = trunk -> global_avgpool -> fc(${between(2, 6)}) -> softmax`,
        "outputs boxes, trunk, scores",
      ];
      return network(`${between(1, 3)}x${between(3, 6)}x${between(3, 6)}`, body.join("\n  "));
    },
  },
  {
    name: "relu6, hardsigmoid, hardswish and silu, on inputs wide enough to reach every piece",
    ops: ["relu6", "hardsigmoid", "hardswish", "silu"],
    variants: ["relu6", "hardsigmoid", "hardswish", "silu"],
    // The fc's random weights spread values well past ±3 and 6, where the clamps bend.
    source: (activation) => network(`${between(2, 4)}x${between(2, 5)}`, `fc(${between(3, 9)}) -> fc(${between(2, 6)}) -> ${activation}`),
  },
  {
    name: "mul by a [C] gate from an fc, a [C, 1, 1] gate from global_avgpool, a same-shape value, on volumes and sequences",
    ops: ["mul"],
    variants: ["fc volume", "fc sequence", "global_avgpool volume", "global_avgpool sequence", "same volume", "same sequence"],
    source: (variant) => {
      const [gate, input] = variant.split(" ");
      const channels = between(1, 5);
      const shape = input === "volume" ? `${channels}x${between(1, 5)}x${between(1, 5)}` : `${channels}x${between(1, 7)}`;
      const gateChain =
        gate === "fc" ? `x -> fc(${channels})` : gate === "global_avgpool" ? "x -> global_avgpool" : `x -> conv(${channels}, 1)`;
      return network(shape, `g = ${gateChain}\n  mul(x, g)`);
    },
  },
  {
    name: "conv_transpose: stride, padding, output_padding, dilation, groups, bias",
    ops: ["conv_transpose"],
    // "past the stride": dilation above the stride and output_padding at or past it (PyTorch allows it,
    // onnxruntime's ConvTranspose does not, so the export crops and pads itself).
    variants: ["square", "non-square", "past the stride"],
    source: (variant) => {
      const groups = pick([1, 2, 3]);
      const axis = () => {
        const kernel = variant === "past the stride" ? between(2, 4) : between(1, 4);
        const stride = variant === "past the stride" ? between(1, 2) : between(1, 3);
        const dilation = variant === "past the stride" ? stride + between(1, 2) : between(1, 2);
        if (variant === "past the stride") {
          return { kernel, stride, dilation, pad: between(0, 1), outputPadding: between(stride, dilation - 1) };
        }
        // PyTorch wants output_padding below max(stride, dilation); pad may not eat the whole output.
        return { kernel, stride, dilation, pad: between(0, Math.floor((dilation * (kernel - 1)) / 2)), outputPadding: between(0, Math.max(stride, dilation) - 1) };
      };
      const height = axis();
      const width = variant === "non-square" ? axis() : height;
      const pair = (key: keyof typeof height): string => (variant === "non-square" ? `${height[key]}x${width[key]}` : `${height[key]}`);
      const strides = `stride=${pair("stride")}, pad=${pair("pad")}, output_padding=${pair("outputPadding")}, dilation=${pair("dilation")}`;
      const options = `${strides}, groups=${groups}, bias=${pick(["true", "false"])}`;
      return network(`${groups * between(1, 2)}x${between(1, 5)}x${between(1, 5)}`, `conv_transpose(${groups * between(1, 2)}, ${pair("kernel")}, ${options})`);
    },
  },
  {
    name: "upsample: nearest, bilinear, bilinear with align_corners, square and non-square scales",
    ops: ["upsample"],
    variants: ["nearest square", "nearest non-square", "bilinear square", "bilinear non-square", "bilinear-corners square", "bilinear-corners non-square"],
    source: (variant) => {
      const [mode, scales] = variant.split(" ");
      const height = between(1, 3);
      // A different factor for the width: the next of 1, 2, 3.
      const scale = scales === "square" ? `${height}` : `${height}x${(height % 3) + 1}`;
      const sampling = mode === "nearest" ? "mode=nearest" : mode === "bilinear" ? "mode=bilinear" : "mode=bilinear, align_corners=true";
      return network(`${between(1, 3)}x${between(1, 5)}x${between(1, 5)}`, `upsample(${scale}, ${sampling})`);
    },
  },
];
