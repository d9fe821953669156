// A graph input: a value the caller uploads. Its shape is the declared one; it has no reference
// computation (runReference reads the given tensor) and no kernel.
import { inferInputShape } from "../ir/shapes/input.js";
import { shapeProblem } from "../ir/shapes/result.js";
import { nameLabel, type OpDefinition } from "./definition.js";
import { NOT_ELEMENTWISE } from "./traits.js";

export const INPUT: OpDefinition<"input"> = {
  op: "input",
  arity: "none",
  traits: NOT_ELEMENTWISE,
  lowering: { kind: "input" },
  label: nameLabel("input"),
  inferShape: (_attrs, _inputs, options) =>
    options.declaredShape === undefined ? shapeProblem("bad-input-shape", "an input node needs its declared shape") : inferInputShape(options.declaredShape),
  reference: undefined,
};
