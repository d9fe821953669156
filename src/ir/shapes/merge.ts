// add (residual connections) and concat (along channels, as inception modules do).
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
