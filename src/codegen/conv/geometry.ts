// The sizes of one convolution, read from the IR (input node shape, output shape, attrs), and the WGSL
// that maps a padded coordinate to the input index it reads (PyTorch padding modes), shared by the
// direct and im2col kernels.
import type { ConvAttrs, Graph, Node, PaddingMode } from "../../ir/graph.js";
import { imageDims } from "../dispatch.js";
import { i32Literal } from "../wgsl.js";

export interface ConvGeometry {
  batch: number;
  /** Input channels, height, width (a 1-D conv has H = 1). */
  C: number;
  H: number;
  W: number;
  /** Output channels, height, width. */
  K: number;
  OH: number;
  OW: number;
  groups: number;
  channelsPerGroup: number;
  filtersPerGroup: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  mode: PaddingMode;
  /** Whether some tap reads a zero (zero padding, or a ceil-rounded window hanging past the padding). */
  readsZeros: boolean;
}

export function convGeometry(graph: Graph, node: Node, attrs: ConvAttrs, batch: number): ConvGeometry {
  const inputId = node.inputs[0];
  const inputNode = inputId === undefined ? undefined : graph.nodes[inputId];
  if (inputNode === undefined || node.inputs.length !== 1) {
    throw new Error(`internal: conv ${node.name} must read exactly one value`);
  }
  return convGeometryOfShapes(`conv ${node.name}`, inputNode.shape, node.shape, attrs, batch);
}

/**
 * The geometry of a conv from its per-sample input and output shapes ([C, H, W], or [C, L] for a
 * 1-D conv); `what` names the conv in internal errors.
 */
export function convGeometryOfShapes(what: string, inputShape: readonly number[], outputShape: readonly number[], attrs: ConvAttrs, batch: number): ConvGeometry {
  // Shape inference gives a conv of spatialRank r rank-(r + 1) values, so the shared reading applies.
  const { C, H, W } = imageDims(inputShape);
  const { C: K, H: OH, W: OW } = imageDims(outputShape);
  if (K !== attrs.outChannels || C % attrs.groups !== 0 || K % attrs.groups !== 0) {
    throw new Error(`internal: ${what}: channels ${C} -> ${K} do not fit groups=${attrs.groups}`);
  }
  const [KH, KW] = attrs.kernel;
  const { top, bottom, left, right } = attrs.padding;
  const rowAxis = { outputs: OH, taps: KH, stride: attrs.stride[0], dilation: attrs.dilation[0], size: H, before: top, after: bottom };
  const colAxis = { outputs: OW, taps: KW, stride: attrs.stride[1], dilation: attrs.dilation[1], size: W, before: left, after: right };
  for (const axis of [rowAxis, colAxis]) {
    if (attrs.paddingMode === "reflect" && Math.max(axis.before, axis.after) >= axis.size) {
      throw new Error(`internal: ${what}: reflect padding must be smaller than the input (${axis.size})`);
    }
  }
  return {
    batch,
    C,
    H,
    W,
    K,
    OH,
    OW,
    groups: attrs.groups,
    channelsPerGroup: C / attrs.groups,
    filtersPerGroup: K / attrs.groups,
    KH,
    KW,
    strideH: attrs.stride[0],
    strideW: attrs.stride[1],
    dilationH: attrs.dilation[0],
    dilationW: attrs.dilation[1],
    padTop: top,
    padBottom: bottom,
    padLeft: left,
    padRight: right,
    mode: attrs.paddingMode,
    readsZeros: axisReadsZeros(rowAxis, attrs.paddingMode) || axisReadsZeros(colAxis, attrs.paddingMode),
  };
}

interface Axis {
  outputs: number;
  taps: number;
  stride: number;
  dilation: number;
  size: number;
  before: number;
  after: number;
}

function axisReadsZeros(axis: Axis, mode: PaddingMode): boolean {
  for (let output = 0; output < axis.outputs; output++) {
    for (let tap = 0; tap < axis.taps; tap++) {
      const coord = output * axis.stride - axis.before + tap * axis.dilation;
      if (coord >= 0 && coord < axis.size) continue;
      if (mode === "zeros" || coord < -axis.before || coord >= axis.size + axis.after) return true;
    }
  }
  return false;
}

export function outputPixels(geometry: ConvGeometry): number {
  return geometry.OH * geometry.OW;
}

/** C/groups * KH * KW. */
export function reductionLength(geometry: ConvGeometry): number {
  return geometry.channelsPerGroup * geometry.KH * geometry.KW;
}

/**
 * The window's i32 constants, mapping output pixel (oh, ow) and tap (kh, kw) to the padded input
 * coordinate (oh * STRIDE_H - PAD_TOP + kh * DILATION_H, likewise for columns).
 */
export function windowConstants(geometry: ConvGeometry): string {
  const constants: [string, number][] = [
    ["STRIDE_H", geometry.strideH],
    ["STRIDE_W", geometry.strideW],
    ["DILATION_H", geometry.dilationH],
    ["DILATION_W", geometry.dilationW],
    ["PAD_TOP", geometry.padTop],
    ["PAD_LEFT", geometry.padLeft],
  ];
  return constants.map(([name, value]) => `const ${name}: i32 = ${i32Literal(value)};`).join("\n");
}

/**
 * `source_row` and `source_col`: the input row/column a padded coordinate reads, or -1 for a zero
 * (zero padding, or beyond the declared padding, which only a ceil-rounded window reaches).
 */
export function paddingFunctions(geometry: ConvGeometry): string {
  return [
    sourceFunction("source_row", geometry.H, geometry.padTop, geometry.padBottom, geometry.mode),
    sourceFunction("source_col", geometry.W, geometry.padLeft, geometry.padRight, geometry.mode),
  ].join("\n\n");
}

function sourceFunction(name: string, size: number, before: number, after: number, mode: PaddingMode): string {
  const sizeLiteral = i32Literal(size);
  const lines = [
    `fn ${name}(coord: i32) -> i32 {`,
    `  if (coord >= 0i && coord < ${sizeLiteral}) {`,
    `    return coord;`,
    `  }`,
  ];
  if (mode !== "zeros") {
    lines.push(
      `  if (coord < ${i32Literal(-before)} || coord >= ${i32Literal(size + after)}) {`,
      `    return -1i;`,
      `  }`,
      `  return ${paddedSource(mode, sizeLiteral)}; // ${mode} padding`,
    );
  } else {
    lines.push(`  return -1i; // zero padding`);
  }
  lines.push(`}`);
  return lines.join("\n");
}

function paddedSource(mode: Exclude<PaddingMode, "zeros">, size: string): string {
  switch (mode) {
    case "reflect":
      return `select(2i * (${size} - 1i) - coord, -coord, coord < 0i)`;
    case "replicate":
      return `select(${size} - 1i, 0i, coord < 0i)`;
    case "circular":
      return `((coord % ${size}) + ${size}) % ${size}`;
  }
}
