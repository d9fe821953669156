// A Plan is what `cnnc build` emits and the runtime executes: a list of buffers and a flat list of
// kernel dispatches over them, for one batch size (shapes are baked into the WGSL as constants, so a
// different batch gets its own plan; the runtime caches plans per batch).
import type { Graph, Node, ParamInit } from "../ir/graph.js";
import type { DerivedParam } from "../kernels/kernelGraph.js";
import type { TrainingPhase } from "../kernels/trainingWork.js";
import type { OutputStore } from "./store.js";
import type { StorageBindingSpec } from "./wgsl.js";

/**
 * `state`: a buffer of a training step living across steps, named by its label (a parameter's gradient
 * `conv1.weight:grad`, optimizer state, saved statistics, `:hyper`, `:metrics`, `:labels`), or a
 * derived parameter computed on the device (`bn1:scale` in an evaluation plan of a trainer).
 */
export type BufferRole = "input" | "output" | "activation" | "param" | "scratch" | "state";

export interface PlanBuffer {
  id: number;
  /** Human-readable: the node name for activations, the weight name for params. */
  label: string;
  role: BufferRole;
  /** Size in bytes (float32 elements * 4), a multiple of 4. */
  bytes: number;
  /** For role "param": the PyTorch state_dict name (`c1.weight`), or a derived parameter's (`bn1:scale`, Plan.derived). */
  paramName?: string;
  /**
   * For a role "param" buffer holding only part of its tensor (a weight split across bindings because
   * it is larger than one GPU binding allows): the buffer holds the tensor's elements
   * [firstElement, firstElement + bytes / 4), and the whole tensor has `tensorBytes` bytes. Absent:
   * the buffer holds the whole tensor.
   */
  paramSlice?: { firstElement: number; tensorBytes: number };
  /** For inputs/outputs/activations: the (first) node whose value it holds. */
  node?: number;
  /**
   * For activation buffers: every layer-graph node whose value it holds over the run, in plan order
   * (memory planning lets values whose lifetimes do not overlap share one buffer).
   */
  values?: number[];
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
  /** The layer-graph node whose value this dispatch's kernel writes (for errors and layer-by-layer runs). */
  node: number;
  /** The layers the kernel implements, for error messages: `c1+r1+p1`. */
  layer: string;
  /** The key of the program it runs (Plan.programs); programs are shared by identical kernels. */
  program: string;
  /** That program's WGSL (the same string for every step of the program). */
  wgsl: string;
  entryPoint: string;
  workgroups: [number, number, number];
  /** Binding i of group 0 is bindings[i]. */
  bindings: KernelBinding[];
  /**
   * The most loop passes one invocation runs: over every loop run, its iterations plus the pass that
   * exits, nested loops multiplied (loopLimit.ts). llvmpipe silently ends an invocation's loops past
   * 65535, so the runtime refuses such a step there.
   */
  loopIterations: number;
  /** In a training plan: the part of the step the kernel belongs to (forward, loss, backward, update). */
  phase?: TrainingPhase;
}

/**
 * A compiled WGSL program, shared by every step whose kernel is identical (same anchor, shapes,
 * schedule and epilogue): its key never contains a layer name, and its header lists every layer using it.
 */
export interface PlanProgram {
  /** File-name safe: `conv_direct-1x28x28-3f9a2c1b`. */
  key: string;
  wgsl: string;
  entryPoint: string;
  /** Binding i of group 0: its WGSL name and access. */
  bindings: { name: string; access: "read" | "read_write" }[];
  /** Names of the layers whose kernels run it, in plan order. */
  layers: string[];
}

/** A state_dict tensor the plan's kernels read (or derive from): what `--weights` must hold, and how to initialize it. */
export interface PlanWeight {
  name: string;
  shape: number[];
  init: ParamInit;
  /** The fan-in the initialization scales by (kaiming, uniform_fan_in). */
  fanIn: number;
  trainable: boolean;
}

/** The plan's memory figures, in bytes at the plan's batch. */
export interface PlanMemory {
  /** Activation buffers as planned (values sharing buffers whose lifetimes do not overlap), inputs and outputs included. */
  plannedActivationBytes: number;
  /** What one buffer per value would take. */
  perValueActivationBytes: number;
  /** The summary's activation figure (every layer's output, in-place ones counted as none). */
  summaryActivationBytes: number;
  /** Parameter buffers: state_dict tensors and derived ones. */
  paramBytes: number;
  /** Scratch (im2col columns): one region shared by every kernel that needs one. */
  scratchBytes: number;
}

export interface Plan {
  network: string;
  batch: number;
  /** false for a `--no-fuse` plan: one kernel per layer. */
  fused: boolean;
  buffers: PlanBuffer[];
  programs: PlanProgram[];
  steps: KernelStep[];
  /** Every state_dict tensor the network has, in layer order (the plan binds them or derives from them). */
  weights: PlanWeight[];
  /** Parameters computed from the weights at upload (folded batchnorm); buffers with role "param" name them. */
  derived: DerivedParam[];
  memory: PlanMemory;
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
  /** How the output is stored into `outputBuffer` (default: plain, dense). */
  outputStore?: OutputStore;
  /**
   * The kernel's output buffer is also its first input's (memory planning chose in place): emit the
   * single-binding variant, which reads and writes that buffer through one read_write binding, since
   * Dawn refuses one buffer bound both read-only and read_write in one dispatch.
   */
  inPlace?: boolean;
  /** Storage buffers one kernel may bind on the target the plan is built for (its maxStorageBuffersPerShaderStage). */
  maxStorageBindings: number;
  /** Buffer id of one of the node's params by its short name (`weight`, `bias`, ...). */
  paramBuffer(name: string): number;
  /**
   * A buffer holding elements [firstElement, firstElement + elementCount) of a param (flat, row-major),
   * for a kernel that binds a weight in parts; one buffer per (param, range).
   */
  paramSliceBuffer(name: string, firstElement: number, elementCount: number): number;
  /** The buffer of a derived parameter the kernel graph records (`conv1:winograd_u`). */
  derivedBuffer(name: string): number;
  /** A temporary buffer used by this node's kernels only (an im2col column matrix). */
  scratchBuffer(label: string, bytes: number): number;
  emit(step: KernelStep): void;
}

export type KernelGenerator = (node: Node, context: KernelContext) => void;

/**
 * Emits one kernel of `node` as the step `<layer>.<kernel>` (e.g. `c1.gemm`), entry point `main`.
 * Binding i of group 0 is bindings[i]; `loopIterations` is KernelStep.loopIterations.
 */
export function emitKernel(
  context: KernelContext,
  node: Node,
  kernel: string,
  wgsl: string,
  workgroups: [number, number, number],
  bindings: KernelBinding[],
  loopIterations: number,
): void {
  const name = `${node.name}.${kernel}`;
  context.emit({ name, node: node.id, layer: node.name, program: name, wgsl, entryPoint: "main", workgroups, bindings, loopIterations });
}
