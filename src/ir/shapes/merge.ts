// add (residual connections), mul (same shapes, or a per-channel gate as squeeze-and-excitation
// multiplies by) and concat (along channels, as inception modules do).
import type { Shape } from "../graph.js";
import { formatDims } from "../format.js";
import { describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

export function inferAddShape(inputs: readonly Shape[], names: string[] = []): ShapeResult {
  if (inputs.length < 2) return shapeProblem("wrong-input-count", `add needs at least two inputs, got ${inputs.length}`);
  const first = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) {
    const other = inputs[i]!;
    if (formatDims(other) !== formatDims(first)) {
      return shapeProblem("add-shape-mismatch", "add inputs have different shapes", {
        notes: inputs.map((shape, j) => `${names[j] ?? `input ${j + 1}`} is ${describeInput(shape)}`),
        hint: "add needs identical shapes: use a 1x1 conv (with a stride) on the shortcut to match channels and size",
      });
    }
  }
  return shapeOk(first.slice());
}

/**
 * How mul's second operand (the gate) meets its first: the same shape, or one value per channel of
 * the first (`[C]`, or `[C, 1, 1]` for a `[C, H, W]` value and `[C, 1]` for `[C, L]`, which is what
 * global_avgpool gives and fc's `[C]` is, without a reshape). Undefined when neither.
 */
export type MulGateLayout = "same" | "per_channel";

export function mulGateLayout(value: Shape, gate: Shape): MulGateLayout | undefined {
  if (formatDims(value) === formatDims(gate)) return "same";
  const ones = gate.slice(1).every((size) => size === 1);
  const rankFits = gate.length === 1 || gate.length === value.length;
  return value.length > 1 && gate[0] === value[0] && ones && rankFits ? "per_channel" : undefined;
}

export function inferMulShape(inputs: readonly Shape[], names: string[] = []): ShapeResult {
  if (inputs.length !== 2) return shapeProblem("wrong-input-count", `mul multiplies two values, got ${inputs.length}`);
  const [value, gate] = inputs as [Shape, Shape];
  if (mulGateLayout(value, gate) !== undefined) return shapeOk(value.slice());
  const notes = inputs.map((shape, j) => `${names[j] ?? `input ${j + 1}`} is ${describeInput(shape)}`);
  const channels = value[0]!;
  const plain = (name: string | undefined, fallback: string): string => (name ?? fallback).replaceAll("`", "");
  if (value.length > 1 && mulGateLayout(gate, value) === "per_channel") {
    return shapeProblem("mul-shape-mismatch", "mul's per-channel gate must be its second input", {
      notes,
      hint: `write the value first and the gate second: mul(${plain(names[1], "value")}, ${plain(names[0], "gate")})`,
    });
  }
  const gateForm = value.length === 3 ? `${channels}x1x1 (global_avgpool's)` : `${channels}x1 (global_avgpool's)`;
  return shapeProblem("mul-shape-mismatch", "mul inputs have different shapes, and the second is not one value per channel of the first", {
    notes,
    hint:
      value.length === 1
        ? "mul needs identical shapes"
        : `mul needs identical shapes, or as its second input a per-channel gate: a vector of ${channels} (an fc(${channels})'s) or ${gateForm}`,
  });
}

export function inferConcatShape(inputs: readonly Shape[], names: string[] = []): ShapeResult {
  if (inputs.length < 2) return shapeProblem("wrong-input-count", `concat needs at least two inputs, got ${inputs.length}`);
  const first = inputs[0]!;
  const describe = () => inputs.map((shape, j) => `${names[j] ?? `input ${j + 1}`} is ${describeInput(shape)}`);
  if (!inputs.every((shape) => shape.length === first.length)) {
    return shapeProblem("concat-shape-mismatch", "concat inputs have different ranks", {
      notes: describe(),
      hint: "concat joins volumes with volumes, sequences with sequences and vectors with vectors",
    });
  }
  const rest = formatDims(first.slice(1));
  if (!inputs.every((shape) => formatDims(shape.slice(1)) === rest)) {
    const what = first.length === 3 ? "heights/widths" : "lengths";
    return shapeProblem("concat-shape-mismatch", `concat inputs have different ${what}`, {
      notes: describe(),
      hint: "concat joins along channels, so every other size must match: pad or stride the branches to the same size",
    });
  }
  const channels = inputs.reduce((total, shape) => total + shape[0]!, 0);
  return shapeOk([channels, ...first.slice(1)]);
}
