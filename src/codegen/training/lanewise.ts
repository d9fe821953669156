// The layout of the training step's elementwise kernels (activation backward, dropout, gradient sums):
// four elements per invocation, loaded and stored as vec4s, where the element count is a multiple of 4,
// else one. On llvmpipe an invocation's fixed cost (index arithmetic, bounds test) dominates such
// kernels, and four elements to an invocation run about three times as fast (bench/trainingKernels.ts).
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { foldedDispatch, u32Literal, type Dispatch, type StorageBindingSpec } from "../wgsl.js";

export interface Lanewise {
  /** Elements per invocation: 4 (vec4 bindings) or 1. */
  width: 1 | 4;
  dispatch: Dispatch;
  /** Declares the element-sized bindings: vec4<f32> where width is 4. */
  binding(name: string, access: StorageBindingSpec["access"]): StorageBindingSpec;
  /**
   * The statements of `main` computing `output[e] = result` for each of the invocation's elements e:
   * for each of `inputs`, `<input>_value` holds its element e, and `element` is e's flat index;
   * `statements` (which may use them) run first, then `result` (an f32 expression) is stored.
   */
  body(inputs: readonly string[], output: string, statements: readonly string[], result: string): string[];
}

export function lanewise(elements: number): Lanewise {
  if (!Number.isSafeInteger(elements) || elements < 1) throw new Error(`internal: an elementwise kernel over ${elements} elements`);
  const width = elements % 4 === 0 ? 4 : 1;
  const dispatch = foldedDispatch(elements / width, ELEMENTWISE_WORKGROUP_SIZE);
  return {
    width,
    dispatch,
    binding: (name, access) => ({ name, access, ...(width === 4 ? { element: "vec4<f32>" as const } : {}) }),
    body: (inputs, output, statements, result) => {
      if (width === 1) {
        return [`  let element = index;`, ...inputs.map((input) => `  let ${input}_value = ${input}[index];`), ...statements.map((line) => `  ${line}`), `  ${output}[index] = ${result};`];
      }
      const lines = [...inputs.map((input) => `  let ${input}_vector = ${input}[index];`), `  var results = vec4<f32>();`];
      for (let lane = 0; lane < 4; lane++) {
        lines.push(
          `  {`,
          `    let element = index * 4u + ${u32Literal(lane)};`,
          ...inputs.map((input) => `    let ${input}_value = ${input}_vector[${lane}];`),
          ...statements.map((line) => `    ${line}`),
          `    results[${lane}] = ${result};`,
          `  }`,
        );
      }
      lines.push(`  ${output}[index] = results;`);
      return lines;
    },
  };
}
