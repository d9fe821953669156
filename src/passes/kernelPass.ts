// A kernel pass is a pure function KernelGraph -> KernelGraph, like the layer graph's passes
// (pass.ts); runKernelPass verifies its result when asked (tests always ask).
import type { KernelGraph } from "../kernels/kernelGraph.js";
import { verifyKernelGraph, type KernelVerifyOptions } from "../kernels/verify.js";

export interface KernelPass {
  /** kebab-case, as `--dump-ir=` names it: `fuse-epilogues`. */
  name: string;
  run(graph: KernelGraph): KernelGraph;
}

export function runKernelPass(pass: KernelPass, graph: KernelGraph, verify: KernelVerifyOptions | undefined): KernelGraph {
  const result = pass.run(graph);
  if (verify !== undefined) assertValidKernelGraph(result, `after pass ${pass.name}`, verify);
  return result;
}

export function assertValidKernelGraph(graph: KernelGraph, when: string, options: KernelVerifyOptions): void {
  const problems = verifyKernelGraph(graph, options);
  if (problems.length > 0) throw new Error(`invalid kernel graph ${when}:\n  ${problems.join("\n  ")}`);
}
