// The Winograd transforms as WGSL, written out from the matrices of winogradTransforms.ts: the input
// transform V = Bᵀ d B of a 4x4 patch held as 4 row vec4s, and the output transform Y = Aᵀ M A of 16
// accumulators held likewise. Each is the matrices' linear combinations, with zero terms dropped.
import type { WinogradTransform } from "../../schedule/kinds/winogradTransforms.js";
import { f32Literal } from "../wgsl.js";

const LANES = ["x", "y", "z", "w"] as const;

/** `sum_k coefficients[k] * terms[k]` as a WGSL expression, zero terms dropped, unit ones unmultiplied. */
function linearCombination(coefficients: readonly number[], terms: readonly string[]): string {
  let text = "";
  coefficients.forEach((coefficient, k) => {
    if (coefficient === 0) return;
    const magnitude = Math.abs(coefficient);
    const term = magnitude === 1 ? terms[k]! : `${f32Literal(magnitude)} * ${terms[k]!}`;
    text += text === "" ? (coefficient < 0 ? `-${term}` : term) : coefficient < 0 ? ` - ${term}` : ` + ${term}`;
  });
  return text === "" ? "0.0f" : text;
}

/**
 * `left * X * leftᵀ` for X given as row vec4 names `rows` (4 columns): first the row combinations
 * (`left * X`, vec4 each, as `${out}_t{r}`), then each result row's columns combined by `left` again.
 * Returns the statements and the names of the result's rows (vec4 when `left` has 4 rows).
 */
function sandwich(left: readonly (readonly number[])[], rows: readonly string[], out: string, indent: string): { lines: string[]; rows: string[] } {
  const lines: string[] = [];
  const partial = left.map((coefficients, r) => {
    const name = `${out}_t${r}`;
    lines.push(`${indent}let ${name} = ${linearCombination(coefficients, rows)};`);
    return name;
  });
  const result = partial.map((row, r) => {
    const name = `${out}_${r}`;
    const lanes = LANES.slice(0, rows.length).map((lane) => `${row}.${lane}`);
    const columns = left.map((coefficients) => linearCombination(coefficients, lanes));
    lines.push(`${indent}let ${name} = ${columns.length === 1 ? columns[0]! : `vec${columns.length}<f32>(${columns.join(", ")})`};`);
    return name;
  });
  return { lines, rows: result };
}

/** V = Bᵀ d B of patch rows `rows` (vec4 names), as vec4 rows `${out}_0..3`. */
export function inputTransformWgsl(transform: WinogradTransform, rows: readonly string[], out: string, indent: string): { lines: string[]; rows: string[] } {
  return sandwich(transform.BT, rows, out, indent);
}

/** Y = Aᵀ M A of accumulator rows `rows` (vec4 names), as rows `${out}_0..` of `tile` lanes each. */
export function outputTransformWgsl(transform: WinogradTransform, rows: readonly string[], out: string, indent: string): { lines: string[]; rows: string[] } {
  return sandwich(transform.AT, rows, out, indent);
}
