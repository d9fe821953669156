// differentiate: appends to a training-mode kernel graph the work of a training step after the
// forward: the loss kernel, the backward kernels and one optimizer update per trainable parameter.
// It walks the forward kernels in reverse; each kernel's epilogue stages are differentiated last to
// first (activation from the stored output, residual add as an identity, bias as a reduction), then
// its anchor through the op registry's `gradient`. A value read by several kernels gets the sum of
// their gradients (an elementwise kernel adding them). Parameters' gradients and optimizer state live
// in buffers kept across steps ("state" operands); activation gradients are values, memory-planned
// with the forward values they keep alive.
import { CnncUserError } from "../errors.js";
import { paramFullName, shapeSize, type LossKind, type Node, type OptimizerConfig } from "../ir/graph.js";
import { NO_VALUE, type KernelGraph, type KernelNode, type KernelValue } from "../kernels/kernelGraph.js";
import {
  gradientName,
  HYPER_OPERAND,
  METRICS_OPERAND,
  optimizerStateName,
  savedStateName,
  STEP_STATE,
  valueOperand,
  type Operand,
  type TrainingPhase,
  type TrainingWork,
} from "../kernels/trainingWork.js";
import { pointwiseConv } from "../ir/shapes/convTranspose.js";
import { opDefinition, type GradientContext } from "../ops/registry.js";
import { activationDefinition } from "../ops/activations.js";
import { optimizerSettings } from "./optimizerSettings.js";
import { optimizerStateNames } from "../codegen/training/optimizers.js";
import type { KernelPass } from "../passes/kernelPass.js";
import { valuesRead } from "../kernels/analysis.js";

export interface DifferentiateOptions {
  loss: LossKind;
  optimizer: OptimizerConfig;
}


class Differentiator {
  readonly values: KernelValue[];
  readonly kernels: KernelNode[];
  /** Gradient contributions to each forward value, from the kernels reading it. */
  private readonly contributions = new Map<number, number[]>();
  /** Forward values whose gradient is needed (they depend on a trainable parameter). */
  private readonly needed = new Set<number>();
  /** What the training forward saved, by state name (the backward binds the same buffers). */
  private readonly savedState = new Map<string, Operand>();
  /** Parameters whose gradient some kernel writes, in the order first written. */
  readonly gradients = new Map<string, { node: Node; elements: number }>();

  constructor(private readonly graph: KernelGraph) {
    this.values = graph.values.slice();
    this.kernels = graph.kernels.slice();
    for (const kernel of graph.kernels) {
      for (const operand of Object.values(kernel.training?.operands ?? {})) if (operand.kind === "state") this.savedState.set(operand.name, operand);
      const ownParams = kernel.layers.some((layer) => graph.source.nodes[layer]!.params.some((param) => param.trainable));
      const readsNeeded = valuesRead(kernel).some((value) => this.needed.has(value));
      if (ownParams || readsNeeded) this.needed.add(kernel.output);
    }
  }

  private layer(id: number): Node {
    return this.graph.source.nodes[id]!;
  }

  /** A new value: the gradient of `of` (same layer and shape). */
  private newGradientValue(of: number): number {
    const forward = this.values[of]!;
    const id = this.values.length;
    this.values.push({ id, layer: forward.layer, shape: forward.shape.slice() });
    return id;
  }

  private add(kernel: Omit<KernelNode, "id">): void {
    this.kernels.push({ ...kernel, id: this.kernels.length });
  }

  /** Appends a training kernel of `phase` reading the value operands, writing `output` (or no value). */
  addTraining(phase: TrainingPhase, anchorLayer: number, work: TrainingWork, operands: Record<string, Operand>, output: number): void {
    const inputs = Object.values(operands).flatMap((operand) => (operand.kind === "value" && operand.value !== output ? [operand.value] : []));
    this.add({ anchor: "training", anchorLayer, layers: [], inputs: [...new Set(inputs)], output, epilogue: [], store: { kind: "plain" }, training: { work, operands, phase } });
  }

  contribute(value: number, gradient: number): void {
    if (!this.needed.has(value)) return;
    const list = this.contributions.get(value) ?? [];
    list.push(gradient);
    this.contributions.set(value, list);
  }

  /** The gradient of `value`: its one contribution, or the sum of several; undefined when nothing reached it. */
  gradientOf(value: number): number | undefined {
    const list = this.contributions.get(value);
    if (list === undefined || list.length === 0) return undefined;
    if (list.length === 1) return list[0]!;
    const sum = this.newGradientValue(value);
    this.add({ anchor: "elementwise", anchorLayer: this.values[value]!.layer, layers: [], inputs: list.slice(), output: sum, epilogue: [], store: { kind: "plain" } });
    this.contributions.set(value, [sum]);
    return sum;
  }

  paramGradient(node: Node, name: string): Operand {
    const param = node.params.find((candidate) => candidate.name === name);
    if (param === undefined) throw new Error(`internal: ${node.name} has no parameter ${name}`);
    const full = paramFullName(node, param);
    const elements = shapeSize(param.shape);
    this.gradients.set(full, { node, elements });
    return { kind: "state", name: gradientName(full), elements };
  }

  saved(node: Node, what: string): Operand {
    const operand = this.savedState.get(savedStateName(node, what));
    if (operand === undefined) throw new Error(`internal: ${node.name}'s training forward saved no ${what}`);
    return operand;
  }

  /** The loss kernel on the network's single output: its gradient seeds the backward walk. */
  addLoss(loss: LossKind): void {
    const source = this.graph.source;
    if (this.graph.outputs.length !== 1) {
      throw new CnncUserError(`training needs a network with one output; ${source.name} has ${this.graph.outputs.length}`, {
        hint: "end the network in the one value the loss is taken of",
      });
    }
    let output = this.graph.outputs[0]!;
    let layer = this.layer(source.outputs[0]!);
    const shape = layer.shape;
    // A network ending in softmax outputs probabilities: its cross-entropy, -log p[label], is taken of
    // the softmax's input (the logits), softmax and loss fused, as PyTorch's CrossEntropyLoss does.
    const softmax = loss === "cross_entropy" ? outputSoftmax(this.graph) : undefined;
    if (softmax !== undefined) {
      output = softmax.inputs[0]!;
      layer = this.layer(this.values[output]!.layer);
    }
    const gradient = this.newGradientValue(output);
    const common = { hyper: HYPER_OPERAND, metrics: METRICS_OPERAND };
    if (loss === "cross_entropy") {
      if (shape.length !== 1) {
        throw new CnncUserError(`cross_entropy needs class scores [K] per sample, but ${layer.name} outputs [${shape.join(", ")}]`, {
          hint: "end the network in fc(K) (logits; cross_entropy applies the softmax), or use loss = mse",
        });
      }
      const labels: Operand = { kind: "state", name: STEP_STATE.labels, elements: 1, perSample: true, element: "u32" };
      this.addTraining("loss", layer.id, { kind: "softmax_cross_entropy", classes: shape[0]! }, { logits: valueOperand(output), labels, ...common, dlogits: valueOperand(gradient) }, gradient);
    } else {
      const targets: Operand = { kind: "state", name: STEP_STATE.labels, elements: shapeSize(shape), perSample: true };
      this.addTraining("loss", layer.id, { kind: "mean_squared_error", elements: shapeSize(shape) }, { outputs: valueOperand(output), targets, ...common, doutputs: valueOperand(gradient) }, gradient);
    }
    this.contributions.set(output, [gradient]);
  }

  /** The backward of one forward kernel, given the gradient of what it stored. */
  backward(kernel: KernelNode): void {
    if (!this.needed.has(kernel.output)) return;
    let gradient = this.gradientOf(kernel.output);
    if (gradient === undefined) return;
    const source = this.graph.source;
    const stored = kernel.layers[kernel.layers.length - 1]!;
    if (kernel.store.kind === "channel_slice") {
      // The kernel wrote a channel slice of the concat: its gradient is that slice of the concat's.
      const own = this.layer(stored).shape;
      const sliceValue = this.values.length;
      this.values.push({ id: sliceValue, layer: stored, shape: own.slice() });
      const inner = shapeSize(own.slice(1));
      const work: TrainingWork = { kind: "concat_backward", inner, channels: own[0]!, channelOffset: kernel.store.channelOffset, totalChannels: kernel.store.totalChannels };
      this.addTraining("backward", stored, work, { dy: valueOperand(gradient), dx: valueOperand(sliceValue) }, sliceValue);
      gradient = sliceValue;
    }
    for (let index = kernel.epilogue.length - 1; index >= 0; index--) {
      const stage = kernel.epilogue[index]!;
      switch (stage.kind) {
        case "activation": {
          const last = index === kernel.epilogue.length - 1;
          const fromOutput = last && activationDefinition(stage.attrs.op).derivativeFromOutput(stage.attrs);
          const lone = kernel.anchor === "elementwise" && kernel.inputs.length === 1 && kernel.epilogue.length === 1;
          if (!fromOutput && !lone) throw new Error(`internal: ${this.layer(stage.layer).name}'s activation was fused where its backward cannot see its input`);
          const saved = fromOutput ? kernel.output : kernel.inputs[0]!;
          const next = this.values.length;
          this.values.push({ id: next, layer: stage.layer, shape: this.values[kernel.output]!.shape.slice() });
          const work: TrainingWork = { kind: "activation_backward", elements: shapeSize(this.values[kernel.output]!.shape), attrs: stage.attrs, from: fromOutput ? "output" : "input" };
          this.addTraining("backward", stage.layer, work, { dy: valueOperand(gradient), saved: valueOperand(saved), dx: valueOperand(next) }, next);
          gradient = next;
          break;
        }
        case "add":
          this.contribute(stage.value, gradient);
          break;
        case "mul":
          gradient = this.mulBackward(kernel, index, stage.layer, stage.value, stage.elementsPerGate, gradient);
          break;
        case "bias": {
          const node = this.layer(stage.layer);
          const attrs = node.attrs;
          const dbias = this.paramGradient(node, "bias");
          const dy = valueOperand(gradient);
          if (attrs.op === "conv") {
            const inputShape = this.layer(node.inputs[0]!).shape;
            this.addTraining("backward", node.id, { kind: "conv_backward_bias", attrs, inputShape, outputShape: node.shape }, { dy, dbias }, NO_VALUE);
          } else if (attrs.op === "conv_transpose") {
            // A per-channel sum of dy over its own shape: the bias gradient of a 1x1 conv from that shape to itself.
            this.addTraining("backward", node.id, { kind: "conv_backward_bias", attrs: pointwiseConv(attrs.outChannels), inputShape: node.shape, outputShape: node.shape }, { dy, dbias }, NO_VALUE);
          } else if (attrs.op === "fc") {
            this.addTraining("backward", node.id, { kind: "fc_backward_bias", outFeatures: attrs.outFeatures }, { dy, dbias }, NO_VALUE);
          } else throw new Error(`internal: a bias stage of ${attrs.op} ${node.name}`);
          break;
        }
        case "batchnorm":
        case "scale_shift":
          throw new Error(`internal: an inference batchnorm stage in a training graph (${this.layer(stage.layer).name})`);
      }
    }
    if (kernel.anchor === "elementwise") {
      // A sum of its operands (an add, or a lone activation's input): each gets the gradient as it is.
      for (const input of kernel.inputs) this.contribute(input, gradient);
      return;
    }
    const node = source.nodes[kernel.anchorLayer]!;
    const definition = opDefinition(node.attrs.op);
    if (definition.gradient === undefined) {
      throw new CnncUserError(`cnnc cannot train through layer ${node.name} (${node.attrs.op}): the op has no GPU gradient`, {
        hint: `remove ${node.name} from the network for training, or freeze the layers before it`,
      });
    }
    const outputGradient = valueOperand(gradient);
    const work = kernel.training?.work;
    const context: GradientContext = {
      outputGradient,
      inputs: kernel.inputs.map(valueOperand),
      output: valueOperand(kernel.output),
      inputShapes: node.inputs.map((input) => source.nodes[input]!.shape),
      ...(work?.kind === "batchnorm_train" && work.activation !== undefined ? { fusedActivation: work.activation } : {}),
      needsGradient: (index) => this.needed.has(kernel.inputs[index]!),
      inputGradient: (index, inputWork, operands) => {
        const input = kernel.inputs[index]!;
        const dx = this.newGradientValue(input);
        this.addTraining("backward", node.id, inputWork, { ...operands, dx: valueOperand(dx) }, dx);
        this.contribute(input, dx);
      },
      passGradient: (index) => this.contribute(kernel.inputs[index]!, gradient),
      paramGradient: (paramWork, operands) => this.addTraining("backward", node.id, paramWork, operands, NO_VALUE),
      gradientOf: (owner, name) => this.paramGradient(owner, name),
      saved: (owner, what) => this.saved(owner, what),
      hyper: HYPER_OPERAND,
    };
    definition.gradient(node, node.attrs, context);
  }

  /**
   * A mul stage's backward: the gate's gradient (when needed), then the multiplied value's, returned.
   * fuse-training-epilogues never fuses a mul, so its kernel is the elementwise one over the value.
   */
  private mulBackward(kernel: KernelNode, index: number, layer: number, gate: number, elementsPerGate: number, gradient: number): number {
    if (kernel.anchor !== "elementwise" || kernel.inputs.length !== 1 || index !== 0) {
      throw new Error(`internal: ${this.layer(layer).name}'s mul was fused where its backward cannot see the value it multiplies`);
    }
    const multiplied = kernel.inputs[0]!;
    const elements = shapeSize(this.values[multiplied]!.shape);
    const dy = valueOperand(gradient);
    if (this.needed.has(gate)) {
      const gateGradient = this.newGradientValue(gate);
      const dx = valueOperand(gateGradient);
      if (elementsPerGate === 1) {
        this.addTraining("backward", layer, { kind: "mul_backward_operand", elements, elementsPerGate }, { dy, other: valueOperand(multiplied), dx }, gateGradient);
      } else {
        this.addTraining("backward", layer, { kind: "mul_backward_gate", gates: elements / elementsPerGate, elementsPerGate }, { dy, x: valueOperand(multiplied), dx }, gateGradient);
      }
      this.contribute(gate, gateGradient);
    }
    const valueGradient = this.newGradientValue(multiplied);
    this.addTraining("backward", layer, { kind: "mul_backward_operand", elements, elementsPerGate }, { dy, other: valueOperand(gate), dx: valueOperand(valueGradient) }, valueGradient);
    return valueGradient;
  }

  /** One update kernel per parameter with a gradient, in layer order. */
  addUpdates(optimizer: OptimizerConfig): void {
    const ordered = [...this.gradients].sort(([, a], [, b]) => a.node.id - b.node.id);
    for (const [param, { node, elements }] of ordered) {
      const state = Object.fromEntries(optimizerStateNames(optimizer).map((slot) => [slot, { kind: "state", name: optimizerStateName(param, slot), elements } as Operand]));
      const common = { param: { kind: "param", name: param } as Operand, grad: { kind: "state", name: gradientName(param), elements } as Operand };
      const settings = optimizerSettings(optimizer);
      const work: TrainingWork = settings.kind === "sgd" ? { ...settings, kind: "sgd_update", elements } : { ...settings, kind: "adam_update", elements };
      const operands: Record<string, Operand> =
        optimizer.kind === "sgd"
          ? { ...common, ...state, hyper: HYPER_OPERAND, metrics: METRICS_OPERAND }
          : { ...common, exp_avg: state["exp_avg"]!, exp_avg_sq: state["exp_avg_sq"]!, hyper: HYPER_OPERAND, metrics: METRICS_OPERAND };
      this.addTraining("update", node.id, work, operands, NO_VALUE);
    }
  }
}

export function differentiatePass(options: DifferentiateOptions): KernelPass {
  return { name: "differentiate", run: (graph) => differentiate(graph, options) };
}

/** The kernel computing the network's output when it is a softmax over class scores (no epilogue). */
export function outputSoftmax(graph: KernelGraph): KernelNode | undefined {
  const output = graph.outputs[0];
  const kernel = graph.kernels.find((candidate) => candidate.output === output);
  if (kernel === undefined || kernel.anchor !== "softmax" || kernel.epilogue.length > 0 || kernel.inputs.length !== 1) return undefined;
  return graph.values[kernel.inputs[0]!]!.shape.length === 1 ? kernel : undefined;
}

/** The training step's kernel graph: `graph` (a training-mode forward) + loss + backward + updates. */
export function differentiate(graph: KernelGraph, options: DifferentiateOptions): KernelGraph {
  if (graph.kernels.some((kernel) => kernel.training !== undefined && kernel.training.phase !== "forward")) {
    throw new Error("internal: differentiate was given a graph that already has a backward");
  }
  const differentiator = new Differentiator(graph);
  differentiator.addLoss(options.loss);
  for (let index = graph.kernels.length - 1; index >= 0; index--) differentiator.backward(graph.kernels[index]!);
  differentiator.addUpdates(options.optimizer);
  return { ...graph, values: differentiator.values, kernels: differentiator.kernels, outputs: [] };
}
