// fc flattens its input (PyTorch Linear after torch.flatten(x, 1)): weight [out, in], bias [out].
import { type FcAttrs, type ParamSpec, type Shape, shapeSize } from "../graph.js";
import { checkPositive } from "./checks.js";
import { type ShapeResult, shapeOk } from "./result.js";

export function inferFcShape(attrs: FcAttrs, input: Shape): ShapeResult {
  const bad = checkPositive("fc", [["output size", attrs.outFeatures]]);
  if (bad !== undefined) return bad;
  const inFeatures = shapeSize(input);
  const params: ParamSpec[] = [{ name: "weight", shape: [attrs.outFeatures, inFeatures], trainable: true, init: "kaiming" }];
  if (attrs.bias) params.push({ name: "bias", shape: [attrs.outFeatures], trainable: true, init: "uniform_fan_in" });
  return shapeOk([attrs.outFeatures], params, inFeatures * attrs.outFeatures);
}

export function inferFlattenShape(input: Shape): ShapeResult {
  return shapeOk([shapeSize(input)]);
}
