// Accumulates IR nodes in creation order, which is topological: a node can only read values that
// were elaborated before it.
import type { SourceSpan } from "../../grammar/ast.js";
import type { Node, OpAttrs } from "../ir/graph.js";
import type { NodeFacts } from "../ir/shapes/result.js";

/** Beyond this many nodes elaboration stops: a `* 100000` typo should not exhaust memory. */
export const MAX_NODES = 100_000;

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inputs: number[] = [];

  add(name: string, attrs: OpAttrs, inputs: number[], facts: NodeFacts, span: SourceSpan): number {
    const id = this.nodes.length;
    this.nodes.push({ id, name, attrs, inputs, span, ...facts });
    if (attrs.op === "input") this.inputs.push(id);
    return id;
  }

  get full(): boolean {
    return this.nodes.length >= MAX_NODES;
  }

  /** Whether the network-too-large error has been reported (it is reported once). */
  fullReported = false;
}
