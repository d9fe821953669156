// A pass is a pure function Graph -> Graph. runPass applies one and, when asked (tests always ask),
// verifies the result so that a pass breaking an IR invariant is caught at that pass.
import type { Graph } from "../ir/graph.js";
import { verifyGraph } from "../ir/verify.js";

export interface Pass {
  /** kebab-case, used in messages: `infer-shapes`. */
  name: string;
  run(graph: Graph): Graph;
}

export interface PassOptions {
  verify?: boolean;
}

export function runPass(pass: Pass, graph: Graph, options: PassOptions = {}): Graph {
  const result = pass.run(graph);
  if (options.verify === true) assertValidGraph(result, `after pass ${pass.name}`);
  return result;
}

/** Throws (an internal error, not a user error) when the graph breaks an IR invariant. */
export function assertValidGraph(graph: Graph, when: string): void {
  const problems = verifyGraph(graph);
  if (problems.length > 0) {
    throw new Error(`invalid IR ${when}:\n  ${problems.join("\n  ")}`);
  }
}
