// Fusion in a training step: what of fuse-epilogues stays legal when every kernel's backward must be
// computable from the values that are stored. A conv, conv_transpose or fc absorbs its bias, one residual add and a
// final activation whose derivative follows from its output (relu, tanh, sigmoid...), since the stored
// output is all the backward sees; never a mul, whose gate's gradient needs the value it multiplies.
// Batchnorm (on batch statistics, a kernel of its own in training) absorbs the activation after it, whose backward it recomputes from its input. Batchnorm folding and
// conv + pool fusion do not apply: the batch statistics change every step, and the backward needs the
// conv's output.
import { fuseByRules, appendConsumerStages, type FusionRule } from "../kernels/fusionRules.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { valueOperand } from "../kernels/trainingWork.js";
import { opLabel } from "../ir/opLabel.js";
import { activationDefinition } from "../ops/activations.js";
import type { KernelPass } from "./kernelPass.js";

const EPILOGUE_HOSTS = new Set(["conv", "conv_transpose", "fc"]);

function activationStage(kernel: KernelNode) {
  return kernel.epilogue.find((stage) => stage.kind === "activation");
}

/** conv/fc + bias + add + activation, the activation last and differentiable from the stored output. */
export const TRAINING_EPILOGUE_RULE: FusionRule = {
  name: "training epilogue",
  matches: (producer, consumer) => EPILOGUE_HOSTS.has(producer.anchor) && consumer.anchor === "elementwise",
  refuse: (producer, consumer, context) => {
    const multiply = consumer.epilogue.find((stage) => stage.kind === "mul");
    if (multiply !== undefined) return `the gradient of ${context.layerName(multiply.layer)}'s gate needs the value it multiplies, which the fused kernel would not store`;
    const earlier = activationStage(producer);
    if (earlier !== undefined) return `${context.layerName(earlier.layer)}'s output would not be stored, and the backward needs it`;
    const stage = activationStage(consumer);
    if (stage !== undefined && stage.kind === "activation" && !activationDefinition(stage.attrs.op).derivativeFromOutput(stage.attrs)) {
      return `the derivative of ${opLabel(stage.attrs)} needs its input, which the fused kernel would not store`;
    }
    return undefined;
  },
  merge: appendConsumerStages,
  fusedNote: (producer, context) => `fused into the epilogue of ${producer.anchor} ${context.layerName(producer.anchorLayer)} (training)`,
};

/** batchnorm (training) + activation: one kernel forward, one fused backward. */
export const BATCHNORM_ACTIVATION_RULE: FusionRule = {
  name: "batchnorm activation",
  matches: (producer, consumer) =>
    producer.training?.work.kind === "batchnorm_train" &&
    producer.training.work.activation === undefined &&
    consumer.anchor === "elementwise" &&
    consumer.inputs.length === 1 &&
    consumer.epilogue.length === 1 &&
    consumer.epilogue[0]!.kind === "activation",
  merge: (producer, consumer) => {
    const training = producer.training!;
    const stage = consumer.epilogue[0]!;
    if (training.work.kind !== "batchnorm_train" || stage.kind !== "activation") throw new Error("internal: the batchnorm activation rule matched another pair");
    return {
      ...producer,
      layers: [...producer.layers, ...consumer.layers],
      output: consumer.output,
      store: consumer.store,
      training: { ...training, work: { ...training.work, activation: stage.attrs }, operands: { ...training.operands, y: valueOperand(consumer.output) } },
    };
  },
  fusedNote: (producer, context) => `fused into batchnorm ${context.layerName(producer.anchorLayer)} (training)`,
};

export function fuseTrainingEpilogues(graph: KernelGraph, maxStorageBindings: number): KernelGraph {
  return fuseByRules(graph, "fuse-training-epilogues", [TRAINING_EPILOGUE_RULE, BATCHNORM_ACTIVATION_RULE], maxStorageBindings);
}

export function fuseTrainingEpiloguesPass(maxStorageBindings: number): KernelPass {
  return { name: "fuse-training-epilogues", run: (graph) => fuseTrainingEpilogues(graph, maxStorageBindings) };
}
