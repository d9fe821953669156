// One source per diagnostic kind of elaboration and shape inference, with the files it `use`s.
// diagnostics.test.ts compares the full text of each against diagnostics.golden.txt.
import type { SourceFiles } from "./compileHelpers.js";

export interface DiagnosticCase {
  name: string;
  source: string;
  files?: SourceFiles;
}

const network = (body: string, input = "3x8x8") => `network N {\n  input x: ${input}\n${body}\n}\n`;

/** Blocks b0 -> b1 -> ... -> b<depth>, each using the next; the last is a relu. */
function blockChain(depth: number): string {
  const blocks = Array.from({ length: depth }, (_, i) => `block b${i} {\n  b${i + 1}\n}\n`);
  return `${blocks.join("")}block b${depth} {\n  relu\n}\n`;
}

/** Blocks b1 ... b<depth>, each calling the one before ten times: 10^depth instances of b0, which makes no layer. */
function blocksOfTen(depth: number): string {
  const blocks = Array.from({ length: depth }, (_, i) => `block b${i + 1} {\n  ${Array.from({ length: 10 }, () => `b${i}`).join(" -> ")}\n}\n`);
  return `block b0 {\n  in\n}\n${blocks.join("")}`;
}

export const DIAGNOSTIC_CASES: DiagnosticCase[] = [
  // ---- layers and arguments
  { name: "unknown layer with a close match", source: network("  cnv(6, 3)") },
  { name: "unknown layer without a close match", source: network("  frobnicate") },
  { name: "unknown argument", source: network("  conv(6, 3, strid=2)") },
  { name: "missing argument", source: network("  conv(6)") },
  { name: "too many arguments", source: network("  relu(3)") },
  { name: "duplicate argument", source: network("  conv(6, 3, k=5)") },
  { name: "float where an int is expected", source: network("  conv(6.5, 3)") },
  { name: "number where true/false is expected", source: network("  conv(6, 3, bias=1)") },
  { name: "value out of range", source: network("  conv(6, 3, stride=0)") },
  { name: "unknown word for a choice", source: network("  conv(6, 3, padding_mode=reflct)") },
  { name: "misspelled padding word", source: network("  conv(6, 3, pad=sam)") },
  { name: "wrong padding form", source: network("  conv(6, 3, pad=[1, 2])") },
  { name: "1-D kernel given as HxW", source: network("  conv(6, 3x3)", "5x7") },
  { name: "dropout probability out of range", source: network("  dropout(1.5)") },
  // ---- names, constants, arithmetic
  { name: "undefined constant", source: "const KERNEL = 3\n" + network("  conv(6, KERNL)") },
  { name: "undefined word in a constant", source: "const P = sme\n" + network("  conv(6, 3, pad=P)") },
  { name: "in outside a block", source: network("  in -> relu") },
  { name: "inexact integer division", source: network("  conv(7 / 2, 3)") },
  { name: "division by zero", source: network("  conv(6 % 0, 3)") },
  { name: "number too large", source: network("  fc(99999999999999999999)") },
  { name: "whole-number arithmetic past 2^53", source: network("  fc(9007199254740991 * 2)") },
  { name: "float arithmetic past the largest double", source: network("  dropout(1e300 * 1e300)") },
  { name: "a long list quoted in a message", source: network(`  conv([${Array.from({ length: 30 }, (_, i) => i).join(", ")}], 3)`) },
  { name: "arithmetic on a word", source: network("  conv(same * 2, 3)") },
  { name: "duplicate value name", source: network("  a = conv(4, 3, pad=1)\n  a = relu") },
  { name: "value name that is a constant", source: "const a = 3\n" + network("  a = conv(4, 3, pad=1)") },
  { name: "duplicate constant", source: network("  const K = 3\n  const K = 5\n  conv(4, K)") },
  { name: "duplicate layer name", source: network("  conv(4, 3, pad=1) as c\n  conv(4, 3, pad=1) as c") },
  { name: "unused value", source: network("  a = conv(4, 3, pad=1)\n  b = x -> conv(4, 1)") },
  { name: "unused input", source: "network N {\n  input x: 3x8x8\n  input y: 3x8x8\n  y -> relu\n}\n" },
  { name: "unused result", source: network("  conv(4, 3, pad=1)\n  x -> relu") },
  // ---- chains and values
  { name: "no input declared", source: "network N {\n  conv(4, 3)\n}\n" },
  { name: "value in the middle of a chain", source: network("  a = conv(4, 1)\n  relu -> a") },
  { name: "add after an arrow", source: network("  a = conv(4, 1)\n  b = x -> conv(4, 1)\n  relu -> add(a, b)") },
  { name: "repetition starting from a value", source: network("  [x -> relu] * 2") },
  { name: "value called like a layer", source: network("  a = conv(4, 1)\n  a(3)") },
  { name: "add of one value", source: network("  a = conv(4, 1)\n  add(a)") },
  { name: "mul of three values", source: network("  a = conv(4, 1)\n  b = x -> conv(4, 1)\n  mul(a, b, a)") },
  { name: "mul of one value", source: network("  a = conv(4, 1)\n  mul(a)") },
  { name: "mul by a gate of other channels", source: network("  a = conv(4, 1)\n  g = a -> global_avgpool -> fc(3)\n  mul(a, g)") },
  { name: "mul of different heights and widths", source: network("  a = conv(4, 1)\n  b = x -> conv(4, 3)\n  mul(a, b)") },
  { name: "mul with the gate first", source: network("  a = conv(4, 1)\n  g = a -> global_avgpool\n  mul(g, a)") },
  { name: "add of a number", source: network("  a = conv(4, 1)\n  add(a, 3)") },
  { name: "add of an undefined value", source: network("  abc = conv(4, 1)\n  add(abc, abd)") },
  { name: "chain from a value defined later (a cycle)", source: network("  a = b -> relu\n  b = a -> relu") },
  { name: "add of a value defined later", source: network("  a = x -> relu\n  s = add(a, b)\n  b = x -> relu\n  add(s, b)") },
  { name: "bad repetition count", source: network("  [relu] * 0") },
  { name: "repetition past the layer limit", source: network("  [[conv(8, 3, pad=1)] * 1000] * 101") },
  { name: "nested repetitions past the layer limit", source: network("  conv(4, 1)\n  [[[[relu] * 1000] * 1000] * 1000] * 1000") },
  { name: "nested repetitions of a block that makes no layers", source: `block nothing() {\n  in\n}\n${network("  relu\n  [[[nothing()] * 10000] * 10000] * 10000")}` },
  { name: "blocks calling blocks past the step limit", source: `${blocksOfTen(7)}${network("  b7")}` },
  { name: "layer with more parameters than can be counted", source: network("  conv(9007199254740991, 1)") },
  { name: "network whose total passes 2^53", source: "network N {\n  input x: 1x1x1\n  fc(3000000000000000)\n  relu\n  fc(2)\n  fc(3)\n  fc(1)\n}\n" },
  { name: "channels-last image input", source: "network N {\n  input image: 224x224x3\n  conv(8, 3)\n}\n" },
  { name: "channels-last gray input", source: "network N {\n  input digits: [28, 28, 1]\n  fc(10)\n}\n" },
  { name: "image input without its channel", source: "network N {\n  input image: 32x32\n  conv(6, 5) -> relu -> maxpool(2)\n  fc(10)\n}\n" },
  { name: "bad input shape", source: "network N {\n  input x: 3x0x8\n  relu\n}\n" },
  { name: "input shape that is not sizes", source: "network N {\n  input x: same\n  relu\n}\n" },
  // ---- blocks
  { name: "block missing argument", source: "block basic(ch, stride=1) {\n  conv(ch, 3, stride=stride, pad=1)\n}\n" + network("  basic(stride=1)") },
  { name: "block unknown argument", source: "block basic(ch, stride=1) {\n  conv(ch, 3, stride=stride, pad=1)\n}\n" + network("  basic(8, strides=1)") },
  { name: "block too many arguments", source: "block basic(ch, stride=1) {\n  conv(ch, 3, stride=stride, pad=1)\n}\n" + network("  basic(8, 1, 2)") },
  { name: "blocks nested too deep", source: blockChain(70) + network("  b0") },
  { name: "long default in a block signature", source: `block b(k = ${Array.from({ length: 40 }, () => "1").join(" + ")}) {\n  conv(k, 1)\n}\n` + network("  b(1, 2)") },
  { name: "block recursion", source: "block a(ch) {\n  b(ch)\n}\nblock b(ch) {\n  a(ch)\n}\n" + network("  a(4)") },
  { name: "error inside a block instance", source: "block down(ch) {\n  conv(ch, 3, stride=2)\n}\n" + network("  down(8) as d1") },
  { name: "empty block", source: "block nothing {\n  const K = 1\n}\n" + network("  nothing") },
  { name: "input in a block", source: "block b {\n  input y: 3x8x8\n  relu\n}\n" + network("  b") },
  { name: "block named like a layer", source: "block relu {\n  tanh\n}\n" + network("  relu") },
  // ---- schedule annotations
  { name: "unknown schedule in an annotation", source: network("  conv(6, 3) @winogrd -> relu") },
  { name: "schedule annotation on a layer without a schedule", source: network("  conv(6, 3) -> relu @im2col") },
  { name: "schedule annotation on add", source: network("  a = conv(3, 3, pad=1)\n  add(a, x) @direct") },
  { name: "schedule annotation on a block call", source: "block basic(ch) {\n  conv(ch, 3, pad=1)\n}\n" + network("  basic(8) @winograd") },
  { name: "schedule annotation on a value", source: network("  a = conv(3, 3, pad=1)\n  a @direct -> relu") },
  { name: "unknown schedule inside a repetition is reported once", source: network("  [conv(3, 3, pad=1) @implicitgemm -> relu] * 3") },
  // ---- files
  { name: "use of a missing file", source: 'use "blocks/missing.cnn"\n' + network("  relu") },
  { name: "use cycle", source: 'use "a.cnn"\n' + network("  relu"), files: { "a.cnn": 'use "b.cnn"\n', "b.cnn": 'use "a.cnn"\n' } },
  { name: "block defined twice through use", source: 'use "lib.cnn"\nblock unit {\n  relu\n}\n' + network("  unit"), files: { "lib.cnn": "block unit {\n  tanh\n}\n" } },
  { name: "network in an imported file", source: 'use "lib.cnn"\n' + network("  relu"), files: { "lib.cnn": "network Other {\n  input x: 1x2x2\n  relu\n}\n" } },
  {
    name: "used file that is not a regular file",
    source: 'use "lib.cnn"\n' + network("  relu"),
    files: { "lib.cnn": { code: "not-regular", message: "`lib.cnn` is a named pipe (FIFO), not a regular file", hint: "save it to a file first" } },
  },
  { name: "no network", source: "const K = 3\n" },
  { name: "two networks", source: network("  relu") + "network M {\n  input x: 1x2x2\n  relu\n}\n" },
  { name: "empty network", source: "network N {\n  input x: 3x8x8\n}\n" },
  // ---- train
  { name: "unknown train setting", source: network("  relu") + "train {\n  los = mse\n}\n" },
  { name: "duplicate train setting", source: network("  relu") + "train {\n  lr = 0.1\n  learning_rate = 0.2\n}\n" },
  { name: "bad loss", source: network("  relu") + "train {\n  loss = hinge\n}\n" },
  { name: "unknown optimizer", source: network("  relu") + "train {\n  optimizer = sgdd(momentum=0.9)\n}\n" },
  { name: "bad optimizer argument", source: network("  relu") + "train {\n  optimizer = adam(momentum=0.9)\n}\n" },
  { name: "nesterov without momentum", source: network("  relu") + "train {\n  optimizer = sgd(nesterov=true)\n}\n" },
  { name: "unknown schedule", source: network("  relu") + "train {\n  schedule = cosin(min_lr=0.001)\n}\n" },
  { name: "step schedule without its period", source: network("  relu") + "train {\n  schedule = step\n}\n" },
  { name: "bad one-cycle schedule argument", source: network("  relu") + "train {\n  schedule = one_cycle(pct_start=1.5)\n}\n" },
  { name: "negative warmup", source: network("  relu") + "train {\n  warmup = -1\n}\n" },
  { name: "unknown dataset", source: network("  relu") + 'train {\n  data = fashion_mnst("/data")\n}\n' },
  { name: "dataset path that is not a string", source: network("  relu") + "train {\n  data = mnist(3)\n}\n" },
  { name: "bad batch size", source: network("  relu") + "train {\n  batch = 0\n  epochs = 2.5\n}\n" },
  { name: "two train sections", source: network("  relu") + "train {\n  lr = 0.1\n}\ntrain {\n  lr = 0.2\n}\n" },
  // ---- shapes
  { name: "output size not a whole number", source: network("  c1 = conv(6, 3, stride=3)", "1x7x7") },
  { name: "output width not a whole number", source: network("  conv(6, 3, stride=2)", "1x7x8") },
  { name: "kernel larger than the input", source: network("  conv(6, 5) -> conv(6, 5)", "1x7x7") },
  { name: "pool window larger than the input", source: network("  maxpool(3)", "1x2x2") },
  { name: "groups not dividing the channels", source: network("  conv(8, 3, pad=1, groups=3)", "6x8x8") },
  { name: "conv_transpose output_padding not below max(stride, dilation)", source: network("  conv_transpose(4, 3, stride=2, output_padding=2)") },
  { name: "conv_transpose output_padding with stride 1", source: network("  conv_transpose(4, 3, output_padding=1)") },
  { name: "conv_transpose padding cropping the whole output", source: network("  conv_transpose(4, 3, pad=6)", "3x4x4") },
  { name: "conv_transpose groups not dividing the filters", source: network("  conv_transpose(5, 3, groups=3)", "6x8x8") },
  { name: "conv_transpose on a sequence", source: network("  conv_transpose(4, 3)", "5x7") },
  { name: "conv_transpose negative padding", source: network("  conv_transpose(4, 3, pad=-1)") },
  { name: "upsample by a fractional factor", source: network("  upsample(1.5)") },
  { name: "upsample align_corners with nearest", source: network("  upsample(2, align_corners=true)") },
  { name: "upsample with an unknown mode", source: network("  upsample(2, mode=bilinar)") },
  { name: "upsample after flatten", source: network("  flatten -> upsample(2)") },
  { name: "reflect padding too large", source: network("  conv(8, 3, pad=3, padding_mode=reflect)", "1x3x3") },
  { name: "pool padding over half the window", source: network("  maxpool(2, pad=2)") },
  { name: "conv after fc", source: network("  fc(10) -> conv(6, 3)") },
  { name: "conv1d on an image", source: network("  conv1d(6, 3)") },
  { name: "global pooling of a vector", source: network("  fc(10) -> global_avgpool") },
  { name: "lrn of a vector", source: network("  fc(10) -> lrn") },
  { name: "add of different shapes", source: network("  a = conv(8, 3, pad=1)\n  b = x -> conv(4, 3, stride=2, pad=1, rounding=floor)\n  add(a, b)") },
  { name: "count past 2^53", source: network("  fc(10)", "1000000x1000000x1000000") },
  { name: "concat of different sizes", source: network("  a = conv(8, 3, pad=1)\n  b = x -> maxpool(2)\n  concat(a, b)") },
  // ---- several outputs
  { name: "unknown output", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, bb") },
  { name: "output that is a constant", source: "const K = 3\n" + network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, K") },
  { name: "output listed twice", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, b, a") },
  { name: "output that is the same value as another", source: network("  a = conv(4, 3, pad=1)\n  b = a\n  outputs a, b") },
  { name: "output that is an input", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs x, a, b") },
  { name: "outputs before the values it lists", source: network("  a = conv(4, 3, pad=1)\n  outputs a, b\n  b = x -> fc(10)") },
  { name: "outputs with a missing comma", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a b") },
  { name: "outputs twice", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a\n  outputs b") },
  { name: "outputs in a block", source: "block two {\n  a = relu\n  b = in -> tanh\n  outputs a, b\n}\n" + network("  two") },
  { name: "unnamed last statement next to outputs", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  relu\n  outputs a, b") },
  { name: "train section without the loss's output", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, b") + "train {\n  epochs = 2\n}\n" },
  { name: "train output that is not an output", source: network("  t = conv(4, 3, pad=1)\n  a = t -> relu\n  b = x -> fc(10)\n  outputs a, b") + "train {\n  output = t\n}\n" },
  { name: "train output that is no value", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, b") + "train {\n  output = bb\n}\n" },
  { name: "train output that is not a name", source: network("  a = conv(4, 3, pad=1)\n  b = x -> fc(10)\n  outputs a, b") + "train {\n  output = 2\n}\n" },
];
