// Accumulates IR nodes in creation order, which is topological: a node can only read values that
// were elaborated before it.
import type { SourceSpan } from "../../grammar/ast.js";
import type { Node, OpAttrs } from "../ir/graph.js";
import type { NodeFacts } from "../ir/shapes/result.js";

/** A network may have at most this many layers (inputs not counted): a `* 100000` typo should not exhaust memory. */
export const MAX_LAYERS = 100_000;

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inputs: number[] = [];
  /** Totals over all nodes so far: trainable parameters, MACs and activations per sample. */
  paramTotal = 0;
  macTotal = 0;
  activationTotal = 0;
  /**
   * Set once a size limit has been reported (sizeLimits.ts): from then on no node is added and
   * elaboration winds down without expanding anything further.
   */
  stopped = false;

  add(name: string, attrs: OpAttrs, inputs: number[], facts: NodeFacts, span: SourceSpan, scheduleAnnotation?: Node["scheduleAnnotation"]): number {
    const id = this.nodes.length;
    this.nodes.push({ id, name, attrs, inputs, span, ...facts, ...(scheduleAnnotation === undefined ? {} : { scheduleAnnotation }) });
    if (attrs.op === "input") this.inputs.push(id);
    this.paramTotal += facts.paramCount;
    this.macTotal += facts.macs;
    this.activationTotal += facts.activations;
    return id;
  }

  get layerCount(): number {
    return this.nodes.length - this.inputs.length;
  }
}
