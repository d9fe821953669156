// Split-K: the GEMM kernel's invocations each sum one slice of the reduction and write their partial
// sums to a scratch buffer [splitK][batches][planes][M][N]; a second kernel adds the slices of each
// output in slice order (deterministic: no float atomics, the same sum on every run) and stores it
// through the store hook, with the epilogue.
import { epilogueKernelStorage } from "../epilogue.js";
import { loopPasses } from "../loopLimit.js";
import { emitKernel, type KernelStorage } from "../plan.js";
import { foldedDispatch, kernelSource, u32Literal } from "../wgsl.js";
import { gemmConstants, splitLength, type GemmKernelSpec } from "./core.js";
import type { TileShape } from "./tileCode.js";

export function partialStorage(buffer: number, access: "read" | "read_write"): KernelStorage {
  return { name: "partials", access, buffer };
}

/** The partial sum of slice `split` of output (plane, batch, m, n) in the partials buffer (WGSL u32 expressions). */
export function partialIndex(split: string, batch: string, plane: number, m: string, n: string): string {
  return `(((${split} * BATCHES + ${batch}) * PLANES + ${u32Literal(plane)}) * M + ${m}) * N + ${n}`;
}

/** The kernel `<kernel>_sum`: one invocation per output (batch, m, n), adding its splitK partial sums in order. */
export function emitSplitKReduction(spec: GemmKernelSpec, tile: TileShape): void {
  const { problem } = spec;
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${spec.node.name}: split-K sum kernel`,
    [partialStorage(spec.partials!, "read"), ...(spec.prologueStorage ?? []), ...spec.store.storage],
    spec.store.stages,
    spec.context.maxStorageBindings,
  );
  const planes = Array.from({ length: problem.planes }, (_, plane) => plane);
  const dispatch = foldedDispatch(problem.batches * problem.M * problem.N, spec.knobs.workgroupSize);
  const body = [
    ...(spec.prologue ?? []),
    `  let n = index % N;`,
    `  let m = (index / N) % M;`,
    `  let batch = index / (N * M);`,
    ...planes.map((plane) => `  var sum${plane} = 0.0f;`),
    `  for (var split = 0u; split < SPLIT_K; split++) {`,
    ...planes.map((plane) => `    sum${plane} += partials[${partialIndex("split", "batch", plane, "m", "n")}];`),
    `  }`,
    ...spec.store.store("batch", "m", "n", planes.map((plane) => `sum${plane}`)).map((line) => `  ${line}`),
  ];
  const declarations = [
    ...new Set([gemmConstants(spec, tile, splitLength(problem.R, spec.knobs.splitK)), ...(spec.declarations ?? []), ...spec.store.declarations, epilogue.functionWgsl]),
  ];
  const wgsl = kernelSource({
    title: `${spec.title}: split-K sum`,
    details: { ...spec.details, sums: `${spec.knobs.splitK} partial sums per output, in slice order`, epilogue: epilogue.description, "output store": spec.store.description },
    bindings: bindingSpecs,
    declarations,
    dispatch,
    body,
  });
  emitKernel(spec.context, spec.node, `${spec.kernel}_sum`, wgsl, dispatch.workgroups, kernelBindings, loopPasses(spec.knobs.splitK));
}
