// A Plan is what `cnnc build` emits and the runtime executes: a list of buffers and a flat list of
// kernel dispatches over them, for one batch size (shapes are baked into the WGSL as constants, so a
// different batch gets its own plan; the runtime caches plans per batch).
import type { Graph, Node } from "../ir/graph.js";
import type { StorageBindingSpec } from "./wgsl.js";

export type BufferRole = "input" | "output" | "activation" | "param" | "scratch";

export interface PlanBuffer {
  id: number;
  /** Human-readable: the node name for activations, the weight name for params. */
  label: string;
  role: BufferRole;
  /** Size in bytes (float32 elements * 4), a multiple of 4. */
  bytes: number;
  /** For role "param": the PyTorch state_dict name (`c1.weight`). */
  paramName?: string;
  /**
   * For a role "param" buffer holding only part of its tensor (a weight split across bindings because
   * it is larger than one GPU binding allows): the buffer holds the tensor's elements
   * [firstElement, firstElement + bytes / 4), and the whole tensor has `tensorBytes` bytes. Absent:
   * the buffer holds the whole tensor.
   */
  paramSlice?: { firstElement: number; tensorBytes: number };
  /** For inputs/outputs/activations: the node whose value it holds. */
  node?: number;
  /** For inputs/outputs/activations: the value's full shape, [batch, ...node shape] (for messages). */
  shape?: number[];
}

export interface KernelBinding {
  buffer: number;
  access: "read" | "read_write";
}

/** One storage buffer of a kernel, as both its WGSL declaration and the plan buffer bound to it. */
export interface KernelStorage extends StorageBindingSpec {
  buffer: number;
}

/** The KernelStep bindings of a kernel's storage, in declaration order. */
export function kernelBindingsOf(storage: readonly KernelStorage[]): KernelBinding[] {
  return storage.map(({ buffer, access }) => ({ buffer, access }));
}

export interface KernelStep {
  /** Unique, file-name safe: `<layer>.<kernel>` e.g. `c1.conv_direct`, `c1.im2col`, `c1.gemm`. */
  name: string;
  /** The IR node this dispatch computes (for errors and profiling). */
  node: number;
  /** The layer name, for error messages. */
  layer: string;
  wgsl: string;
  entryPoint: string;
  workgroups: [number, number, number];
  /** Binding i of group 0 is bindings[i]. */
  bindings: KernelBinding[];
}

export interface Plan {
  network: string;
  batch: number;
  buffers: PlanBuffer[];
  steps: KernelStep[];
  /** Graph input node id -> buffer id. */
  inputs: { node: number; name: string; buffer: number; shape: number[] }[];
  /** Graph output node id -> buffer id. */
  outputs: { node: number; name: string; buffer: number; shape: number[] }[];
  /** Every node's value -> the buffer that holds it (a flatten shares its input's buffer). */
  nodeBuffers: Map<number, number>;
}

/**
 * What a kernel generator sees while emitting one node's kernels. Generators are pure functions of
 * (node, context): they ask for scratch buffers and emit steps; the plan builder owns buffer ids.
 */
export interface KernelContext {
  graph: Graph;
  batch: number;
  /** Buffer ids holding each of `node.inputs`, in order. */
  inputBuffers: number[];
  /** Buffer id that receives this node's output. */
  outputBuffer: number;
  /** Buffer id of one of the node's params by its short name (`weight`, `bias`, ...). */
  paramBuffer(name: string): number;
  /**
   * A buffer holding elements [firstElement, firstElement + elementCount) of a param (flat, row-major),
   * for a kernel that binds a weight in parts; one buffer per (param, range).
   */
  paramSliceBuffer(name: string, firstElement: number, elementCount: number): number;
  /** A temporary buffer used by this node's kernels only (an im2col column matrix). */
  scratchBuffer(label: string, bytes: number): number;
  emit(step: KernelStep): void;
}

export type KernelGenerator = (node: Node, context: KernelContext) => void;

/**
 * Emits one kernel of `node` as the step `<layer>.<kernel>` (e.g. `c1.gemm`), entry point `main`.
 * Binding i of group 0 is bindings[i].
 */
export function emitKernel(
  context: KernelContext,
  node: Node,
  kernel: string,
  wgsl: string,
  workgroups: [number, number, number],
  bindings: KernelBinding[],
): void {
  context.emit({ name: `${node.name}.${kernel}`, node: node.id, layer: node.name, wgsl, entryPoint: "main", workgroups, bindings });
}
