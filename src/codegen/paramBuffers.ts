// The param buffers of one node while its kernels are generated: created on request, either a whole
// tensor or a slice of consecutive elements (a weight too large for one GPU binding is bound in parts),
// one buffer per (param, range), so a layer's plan holds only the buffers its kernels bind.
import { paramFullName, shapeSize, type Node } from "../ir/graph.js";
import type { PlanBuffer } from "./plan.js";

const FLOAT_BYTES = 4;

export interface NodeParamBuffers {
  /** The buffer of the whole param `name` (`weight`, `bias`, ...). */
  whole(name: string): number;
  /** The buffer of elements [firstElement, firstElement + elementCount) of param `name`. */
  slice(name: string, firstElement: number, elementCount: number): number;
  /**
   * Gives each param no kernel asked for a whole buffer, so the plan still names (and the runtime
   * still checks) every tensor of the node's state_dict.
   */
  addUnrequested(): void;
}

export function nodeParamBuffers(node: Node, addBuffer: (buffer: Omit<PlanBuffer, "id">) => number): NodeParamBuffers {
  const buffers = new Map<string, number>();
  const requested = new Set<string>();
  const paramOf = (name: string): { paramName: string; elements: number } => {
    const param = node.params.find((candidate) => candidate.name === name);
    if (param === undefined) throw new Error(`internal: ${node.name} has no parameter "${name}"`);
    return { paramName: paramFullName(node, param), elements: shapeSize(param.shape) };
  };
  const whole = (name: string): number => {
    const { paramName, elements } = paramOf(name);
    requested.add(name);
    const known = buffers.get(name);
    if (known !== undefined) return known;
    const id = addBuffer({ label: paramName, role: "param", bytes: elements * FLOAT_BYTES, paramName });
    buffers.set(name, id);
    return id;
  };
  const slice = (name: string, firstElement: number, elementCount: number): number => {
    const { paramName, elements } = paramOf(name);
    const end = firstElement + elementCount;
    if (!Number.isInteger(firstElement) || !Number.isInteger(elementCount) || firstElement < 0 || elementCount < 1 || end > elements) {
      throw new Error(`internal: ${node.name}: slice [${firstElement}, ${end}) of ${paramName} is outside its ${elements} elements`);
    }
    if (firstElement === 0 && elementCount === elements) return whole(name);
    requested.add(name);
    const key = `${name}[${firstElement}:${end}]`;
    const known = buffers.get(key);
    if (known !== undefined) return known;
    const id = addBuffer({
      label: `${paramName}[${firstElement}:${end}]`,
      role: "param",
      bytes: elementCount * FLOAT_BYTES,
      paramName,
      paramSlice: { firstElement, tensorBytes: elements * FLOAT_BYTES },
    });
    buffers.set(key, id);
    return id;
  };
  const addUnrequested = (): void => {
    for (const param of node.params) if (!requested.has(param.name)) whole(param.name);
  };
  return { whole, slice, addUnrequested };
}
