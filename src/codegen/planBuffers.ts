// The parameter buffers and the scratch region of a plan being emitted. Parameters: one buffer per
// state_dict tensor (or per slice of one a kernel binds in parts) and per derived parameter, shared by
// every kernel reading it. Scratch (im2col columns): the i-th scratch buffer any kernel asks for is
// one shared buffer, as large as the largest request, since kernels run one after another.
import { paramFullName, shapeSize, type Node } from "../ir/graph.js";
import type { DerivedParam, ParamRef } from "../kernels/kernelGraph.js";
import type { PlanBuffer } from "./plan.js";

const FLOAT_BYTES = 4;
type AddBuffer = (buffer: Omit<PlanBuffer, "id">) => number;

export class ParamBuffers {
  private readonly byKey = new Map<string, number>();
  private readonly derivedUsed = new Set<string>();
  private layersByName: Map<string, Node> | undefined;

  /** `layers`: the layer graph's nodes (owners of the tensors stages name); `derived`: the derived parameters stages may read. */
  constructor(
    private readonly addBuffer: AddBuffer,
    private readonly layers: readonly Node[],
    private readonly derived: readonly DerivedParam[],
  ) {}

  private tensorElements(node: Node, name: string): { paramName: string; elements: number } {
    const param = node.params.find((candidate) => candidate.name === name);
    if (param === undefined) throw new Error(`internal: ${node.name} has no parameter "${name}"`);
    return { paramName: paramFullName(node, param), elements: shapeSize(param.shape) };
  }

  /** The buffer of `node`'s whole parameter `name` (`weight`, `bias`, ...). */
  whole(node: Node, name: string): number {
    const { paramName, elements } = this.tensorElements(node, name);
    return this.get(paramName, () => ({ label: paramName, role: "param", bytes: elements * FLOAT_BYTES, paramName }));
  }

  /** The buffer of elements [first, first + count) of `node`'s parameter `name`. */
  slice(node: Node, name: string, first: number, count: number): number {
    const { paramName, elements } = this.tensorElements(node, name);
    const end = first + count;
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 1 || end > elements) {
      throw new Error(`internal: ${node.name}: slice [${first}, ${end}) of ${paramName} is outside its ${elements} elements`);
    }
    if (first === 0 && count === elements) return this.whole(node, name);
    const label = `${paramName}[${first}:${end}]`;
    return this.get(label, () => ({
      label,
      role: "param",
      bytes: count * FLOAT_BYTES,
      paramName,
      paramSlice: { firstElement: first, tensorBytes: elements * FLOAT_BYTES },
    }));
  }

  /** The buffer of a parameter an epilogue stage names. */
  ref(ref: ParamRef): number {
    if (ref.kind === "tensor") {
      const dot = ref.name.lastIndexOf(".");
      this.layersByName ??= new Map(this.layers.map((node) => [node.name, node]));
      const layer = this.layersByName.get(ref.name.slice(0, dot));
      if (layer === undefined) throw new Error(`internal: no layer owns ${ref.name}`);
      return this.whole(layer, ref.name.slice(dot + 1));
    }
    const derived = this.derived.find((candidate) => candidate.name === ref.name);
    if (derived === undefined) throw new Error(`internal: derived parameter ${ref.name} is not recorded`);
    this.derivedUsed.add(ref.name);
    return this.get(ref.name, () => ({ label: ref.name, role: "param", bytes: derived.elements * FLOAT_BYTES, paramName: ref.name }));
  }

  usesDerived(name: string): boolean {
    return this.derivedUsed.has(name);
  }

  private get(key: string, make: () => Omit<PlanBuffer, "id">): number {
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.addBuffer(make());
      this.byKey.set(key, id);
    }
    return id;
  }
}

export class ScratchRegion {
  private readonly shared: number[] = [];

  /** `planBuffers`: the plan's buffer list, whose scratch entries grow as larger requests arrive. */
  constructor(
    private readonly addBuffer: AddBuffer,
    private readonly planBuffers: PlanBuffer[],
  ) {}

  /** A `scratchBuffer` for one kernel: its i-th request gets shared scratch buffer i, grown to fit. */
  requester(): (label: string, bytes: number) => number {
    let next = 0;
    return (label, bytes) => {
      const position = next++;
      let id = this.shared[position];
      if (id === undefined) {
        id = this.addBuffer({ label: `scratch.${position} (${label})`, role: "scratch", bytes });
        this.shared.push(id);
      }
      const buffer = this.planBuffers[id]!;
      buffer.bytes = Math.max(buffer.bytes, Math.ceil(bytes / FLOAT_BYTES) * FLOAT_BYTES);
      return id;
    };
  }
}
