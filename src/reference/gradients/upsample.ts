// Upsampling's backward pass, from the forward (src/reference/upsample.ts): each output cell's gradient
// goes back to the input cells it read, times the weight it read them with (nearest: the one cell it
// copies; bilinear: its four cells, a cell read twice at the border getting both weights).
import type { Node, UpsampleAttrs } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import { upsampleSetup } from "../upsample.js";
import { makeValue, type RefValue } from "../value.js";

export function upsampleGradient(node: Node, attrs: UpsampleAttrs, input: RefValue, outputGradient: RefValue): ReferenceGradients {
  const { C, H, W, rows, cols } = upsampleSetup(node, attrs, input);
  const inputGradient = makeValue(input.batch, input.shape);
  const dx = inputGradient.data;
  const dy = outputGradient.data;
  let index = 0;
  for (let plane = 0; plane < input.batch * C; plane++) {
    const base = plane * H * W;
    for (const row of rows) {
      for (const col of cols) {
        const g = dy[index++]!;
        const add = (r: number, c: number, weight: number): void => {
          dx[base + r * W + c] = dx[base + r * W + c]! + g * weight;
        };
        add(row.first, col.first, (1 - row.weight) * (1 - col.weight));
        if (attrs.mode === "nearest") continue;
        add(row.first, col.second, (1 - row.weight) * col.weight);
        add(row.second, col.first, row.weight * (1 - col.weight));
        add(row.second, col.second, row.weight * col.weight);
      }
    }
  }
  return { inputs: [inputGradient], params: new Map() };
}
