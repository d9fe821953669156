// The GEMM operand of a row-major matrix contiguous along the reduction: conv and fc weights
// (rows of C/groups*KH*KW or in-features) and fc's input rows. When every row starts 16-byte aligned
// (the row length a multiple of 4) it is bound as vec4s and offers quad loads (4 reduction indices at once).
import type { GemmOperand } from "./operands.js";

export interface RowMajorBinding {
  /** The binding's WGSL name. */
  name: string;
  buffer: number;
  /** WGSL u32 expression of the first element of row `at` of GEMM `batch` (a multiple of 4 when aligned). */
  rowStart(batch: string, at: string): string;
  /** Every row's length is a multiple of 4 (vec4 binding and quad loads). */
  aligned: boolean;
}

function single(out: readonly string[]): string {
  if (out.length !== 1) throw new Error(`internal: a row-major operand has one plane, not ${out.length}`);
  return out[0]!;
}

export function rowMajorOperand(binding: RowMajorBinding): GemmOperand {
  const { name, aligned } = binding;
  return {
    storage: [{ name, access: "read", element: aligned ? "vec4<f32>" : "f32", buffer: binding.buffer }],
    declarations: [],
    setup: (batch, at, id) => [`let ${id} = ${binding.rowStart(batch, at)};`],
    load: (id, r, out) => {
      const value = single(out);
      return aligned ? [`let ${value}_at = ${id} + ${r};`, `let ${value} = ${name}[${value}_at / 4u][${value}_at % 4u];`] : [`let ${value} = ${name}[${id} + ${r}];`];
    },
    ...(aligned ? { quad: (id: string, r: string, out: readonly string[]) => [`let ${single(out)} = ${name}[(${id} + ${r}) / 4u];`] } : {}),
  };
}
