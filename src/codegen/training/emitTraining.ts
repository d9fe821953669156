// Emission of a training kernel node: its work's generator gives the kernels (generateTraining.ts),
// and each named binding is resolved through the node's operands to a plan buffer: a value's buffer
// from the memory plan, a parameter's buffer, a state buffer living across steps, or shared scratch.
// Also the evaluation plan's folded-batchnorm kernels, computed on the device from live parameters.
import { NO_VALUE, type BatchnormDerivedParam, type KernelGraph, type KernelNode } from "../../kernels/kernelGraph.js";
import type { Operand } from "../../kernels/trainingWork.js";
import type { KernelStep, PlanBuffer } from "../plan.js";
import type { ParamBuffers } from "../planBuffers.js";
import { batchnormFold } from "./batchnormFold.js";
import { generateTraining } from "./generateTraining.js";
import { trainingKernelStep, type TrainingKernels } from "./trainingKernel.js";

const FLOAT_BYTES = 4;
type AddBuffer = (buffer: Omit<PlanBuffer, "id">) => number;
type StateOperand = Extract<Operand, { kind: "state" }>;

/** The state buffers of a plan (role "state", labelled with their name), one per name. */
export class StateBuffers {
  private readonly byName = new Map<string, { id: number; bytes: number }>();

  constructor(
    private readonly addBuffer: AddBuffer,
    private readonly batch: number,
  ) {}

  get(operand: StateOperand): number {
    const bytes = (operand.perSample === true ? this.batch * operand.elements : operand.elements) * FLOAT_BYTES;
    const known = this.byName.get(operand.name);
    if (known !== undefined) {
      if (known.bytes !== bytes) throw new Error(`internal: state ${operand.name} is bound with ${known.bytes} and ${bytes} bytes`);
      return known.id;
    }
    const id = this.addBuffer({ label: operand.name, role: "state", bytes });
    this.byName.set(operand.name, { id, bytes });
    return id;
  }
}

export interface OperandResolver {
  value(value: number): number;
  param(name: string): number;
  state(operand: StateOperand): number;
  /** A scratch buffer of this kernel (the i-th request gets shared scratch buffer i). */
  scratch(label: string, bytes: number): number;
}

/** `name`, or `name_2`, `name_3`... : the first not in `taken`. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let count = 2;
  while (taken.has(`${name}_${count}`)) count++;
  return `${name}_${count}`;
}

/** The steps of `generated`, their bindings resolved by name through `operands`, scratch and `resolve`. */
function bindSteps(generated: TrainingKernels, operands: Record<string, Operand>, resolve: OperandResolver, base: Pick<KernelStep, "node" | "layer" | "phase"> & { prefix: string }): KernelStep[] {
  const scratch = new Map(generated.scratch.map(({ name, bytes }) => [name, resolve.scratch(name, bytes)]));
  const { prefix, ...fields } = base;
  return generated.kernels.map((kernel) =>
    trainingKernelStep(kernel, { ...fields, name: `${prefix}${kernel.kernel}` }, (binding) => {
      const operand = operands[binding];
      const buffer =
        operand === undefined
          ? scratch.get(binding)
          : operand.kind === "value"
            ? resolve.value(operand.value)
            : operand.kind === "param"
              ? resolve.param(operand.name)
              : resolve.state(operand);
      if (buffer === undefined) throw new Error(`internal: ${prefix}${kernel.kernel} binds \`${binding}\`, which is neither an operand nor scratch`);
      return buffer;
    }),
  );
}

/** The steps of a training kernel node at `batch`. */
export function trainingSteps(graph: KernelGraph, kernel: KernelNode, batch: number, resolve: OperandResolver): KernelStep[] {
  const training = kernel.training;
  if (training === undefined) throw new Error(`internal: kernel ${kernel.id} is not a training kernel`);
  const layer = graph.source.nodes[kernel.anchorLayer]!;
  const generated = generateTraining(training.work, batch, kernel.schedule);
  // An update is named after its parameter (`fc1.weight.sgd_update`), everything else after its layer.
  const param = training.operands["param"];
  const prefix = training.phase === "update" && param?.kind === "param" ? `${param.name}.` : `${layer.name}.`;
  const node = kernel.output === NO_VALUE ? layer.id : graph.values[kernel.output]!.layer;
  return bindSteps(generated, training.operands, resolve, { prefix, node, layer: layer.name, phase: training.phase });
}

/** The batchnorm layer's folded scale or shift (a Winograd filter is never derived on the device: its kind needs constant weights). */
function batchnormDerived(graph: KernelGraph, layer: number, transform: BatchnormDerivedParam["transform"]): BatchnormDerivedParam {
  for (const derived of graph.derived) {
    if (derived.transform !== "winograd_filter" && derived.layer === layer && derived.transform === transform) return derived;
  }
  throw new Error(`internal: ${graph.source.nodes[layer]!.name} has no derived ${transform} to compute on the device`);
}

/**
 * The kernels computing every derived parameter `buffers` holds (folded batchnorm's scale and shift)
 * from the parameter buffers, to run first; those buffers become state buffers the kernels write.
 * Each returned step comes with the kernel node its program header names (the batchnorm layer).
 */
export function foldStepsOnDevice(graph: KernelGraph, buffers: PlanBuffer[], params: ParamBuffers): { step: KernelStep; kernel: KernelNode }[] {
  const derivedBuffers = new Map<string, number>();
  for (const buffer of buffers) {
    if (buffer.role === "param" && buffer.paramName !== undefined && graph.derived.some((derived) => derived.name === buffer.paramName)) {
      derivedBuffers.set(buffer.paramName, buffer.id);
    }
  }
  const layers = [...new Set(graph.derived.filter((derived) => derivedBuffers.has(derived.name)).map((derived) => derived.layer))];
  const result: { step: KernelStep; kernel: KernelNode }[] = [];
  for (const [index, layerId] of layers.entries()) {
    const scale = batchnormDerived(graph, layerId, "batchnorm_scale");
    const shift = batchnormDerived(graph, layerId, "batchnorm_shift");
    const bufferOf = (name: string): number => derivedBuffers.get(name) ?? params.ref({ kind: "derived", name });
    const scaleBuffer = bufferOf(scale.name);
    const shiftBuffer = bufferOf(shift.name);
    for (const id of [scaleBuffer, shiftBuffer]) {
      const buffer = buffers[id]!;
      buffer.role = "state";
      delete buffer.paramName;
    }
    const node = graph.source.nodes[layerId]!;
    const generated = batchnormFold({ channels: scale.elements, eps: scale.eps });
    const tensors = scale.from;
    const stateBuffers = new Map([
      [scale.name, scaleBuffer],
      [shift.name, shiftBuffer],
    ]);
    const resolve: OperandResolver = {
      value: () => {
        throw new Error("internal: batchnorm folding reads no value");
      },
      param: (name) => params.ref({ kind: "tensor", name }),
      state: (operand) => stateBuffers.get(operand.name)!,
      scratch: () => {
        throw new Error("internal: batchnorm folding needs no scratch");
      },
    };
    const operands: Record<string, Operand> = {
      weight: { kind: "param", name: tensors.weight },
      bias: { kind: "param", name: tensors.bias },
      running_mean: { kind: "param", name: tensors.runningMean },
      running_var: { kind: "param", name: tensors.runningVar },
      scale: { kind: "state", name: scale.name, elements: scale.elements },
      shift: { kind: "state", name: shift.name, elements: shift.elements },
    };
    const [step] = bindSteps(generated, operands, resolve, { prefix: `${node.name}.`, node: layerId, layer: node.name });
    const kernel: KernelNode = { id: -1 - index, anchor: "training", anchorLayer: layerId, layers: [layerId], inputs: [], output: NO_VALUE, epilogue: [], store: { kind: "plain" } };
    result.push({ step: step!, kernel });
  }
  return result;
}
