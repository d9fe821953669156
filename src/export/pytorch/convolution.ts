// Convolution in PyTorch terms: nn.Conv1d/nn.Conv2d with cnnc's kernel, stride, dilation, groups and
// padding mode. Symmetric padding is the module's own; asymmetric padding (from `rounding=ceil` or
// `pad=same` with an even kernel) is an explicit F.pad before a module without padding. Both round the
// output size down, as cnnc's conv does.
import type { ConvAttrs, ConvTransposeAttrs, Node, PaddingMode, Shape } from "../../ir/graph.js";
import { pythonBool, pythonPair, pythonString, pythonTuple } from "./pythonText.js";

/** F.pad's mode for each padding mode (Conv2d's padding_mode names zero padding `zeros`). */
const F_PAD_MODE: Record<PaddingMode, string> = { zeros: "constant", reflect: "reflect", replicate: "replicate", circular: "circular" };

function isSymmetric(attrs: ConvAttrs): boolean {
  return attrs.padding.top === attrs.padding.bottom && attrs.padding.left === attrs.padding.right;
}

export function convModule(attrs: ConvAttrs, input: Shape): string {
  const { top, left } = attrs.padding;
  const oneDimensional = attrs.spatialRank === 1;
  const pair = (values: [number, number]) => (oneDimensional ? String(values[1]) : pythonPair(values));
  const args = [String(input[0]), String(attrs.outChannels), `kernel_size=${pair(attrs.kernel)}`];
  if (attrs.stride.some((size) => size !== 1)) args.push(`stride=${pair(attrs.stride)}`);
  if (isSymmetric(attrs) && (top > 0 || left > 0)) {
    args.push(`padding=${pair([top, left])}`);
    if (attrs.paddingMode !== "zeros") args.push(`padding_mode=${pythonString(attrs.paddingMode)}`);
  }
  if (attrs.dilation.some((size) => size !== 1)) args.push(`dilation=${pair(attrs.dilation)}`);
  if (attrs.groups !== 1) args.push(`groups=${attrs.groups}`);
  if (!attrs.bias) args.push(`bias=${pythonBool(false)}`);
  return `nn.Conv${attrs.spatialRank}d(${args.join(", ")})`;
}

export function convExpression(_node: Node, attrs: ConvAttrs, input: string, module: string): string {
  if (isSymmetric(attrs)) return `${module}(${input})`;
  const { top, bottom, left, right } = attrs.padding;
  const pads = attrs.spatialRank === 1 ? [left, right] : [left, right, top, bottom];
  const mode = attrs.paddingMode === "zeros" ? "" : `, mode=${pythonString(F_PAD_MODE[attrs.paddingMode])}`;
  return `${module}(F.pad(${input}, ${pythonTuple(pads)}${mode}))`;
}

/** nn.ConvTranspose2d with cnnc's attributes, which are PyTorch's (padding, output_padding, groups...). */
export function convTransposeModule(attrs: ConvTransposeAttrs, input: Shape): string {
  const args = [String(input[0]), String(attrs.outChannels), `kernel_size=${pythonPair(attrs.kernel)}`];
  if (attrs.stride.some((size) => size !== 1)) args.push(`stride=${pythonPair(attrs.stride)}`);
  if (attrs.padding.some((size) => size !== 0)) args.push(`padding=${pythonPair(attrs.padding)}`);
  if (attrs.outputPadding.some((size) => size !== 0)) args.push(`output_padding=${pythonPair(attrs.outputPadding)}`);
  if (attrs.groups !== 1) args.push(`groups=${attrs.groups}`);
  if (!attrs.bias) args.push(`bias=${pythonBool(false)}`);
  if (attrs.dilation.some((size) => size !== 1)) args.push(`dilation=${pythonPair(attrs.dilation)}`);
  return `nn.ConvTranspose2d(${args.join(", ")})`;
}
