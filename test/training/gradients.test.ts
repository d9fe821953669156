// The training step's gradients on the GPU equal the float64 reference's (runReferenceBackward, itself
// checked against central finite differences in test/reference/backward/), network by network: one
// step at learning rate 0 (so nothing moves), then every parameter's gradient buffer read back and
// compared. The networks cover each op's gradient with stride > 1, dilation, asymmetric padding,
// groups, odd sizes, batch > 1, overlapping pools, local response norms, residual sums, concats, and
// both losses.
import { describe, expect, it } from "vitest";
import type { Graph } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { runReferenceBackward } from "../../src/reference/backward.js";
import { shapeSize } from "../../src/ir/graph.js";
import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { Trainer, type TrainerSettings } from "../../runtime/training/trainer.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { expectClose, toleranceFor } from "../codegen/kernelHarness.js";
import { compileText } from "../kernels/kernelHelpers.js";

const BATCH = 3;

function settings(loss: "cross_entropy" | "mse", fuse: boolean): TrainerSettings {
  return {
    loss,
    optimizer: { kind: "sgd", momentum: 0 },
    learningRate: 0,
    schedule: { kind: "constant" },
    warmupEpochs: 0,
    batch: BATCH,
    seed: 1,
    stepsPerEpoch: 1,
    totalSteps: 1,
    fuse,
    evaluationBatch: BATCH,
  };
}

/**
 * d loss / d output of the mean cross-entropy: (softmax - onehot) / N of logits, or -1 / (N p[label])
 * of probabilities (a network ending in softmax); or of the mean squared error.
 */
function lossGradient(loss: "cross_entropy" | "mse", outputs: Float32Array, classes: number, labels: Int32Array, targets: Float32Array, probabilities: boolean): Float64Array {
  const gradient = new Float64Array(outputs.length);
  if (loss === "cross_entropy" && probabilities) {
    for (let n = 0; n < BATCH; n++) gradient[n * classes + labels[n]!] = -1 / (BATCH * outputs[n * classes + labels[n]!]!);
    return gradient;
  }
  if (loss === "mse") {
    for (let i = 0; i < outputs.length; i++) gradient[i] = (2 * (outputs[i]! - targets[i]!)) / outputs.length;
    return gradient;
  }
  for (let n = 0; n < BATCH; n++) {
    const row = Array.from(outputs.subarray(n * classes, (n + 1) * classes));
    const largest = Math.max(...row);
    const sum = row.reduce((total, value) => total + Math.exp(value - largest), 0);
    row.forEach((value, k) => (gradient[n * classes + k] = (Math.exp(value - largest) / sum - (k === labels[n] ? 1 : 0)) / BATCH));
  }
  return gradient;
}

async function checkGradients(graph: Graph, loss: "cross_entropy" | "mse", fuse: boolean): Promise<void> {
  const weights = initWeights(graph, 7);
  // Biases start at zero; give them values so every path carries a gradient.
  for (const [name, tensor] of weights) if (name.endsWith(".bias")) tensor.data.set(randomNormalTensor(tensor.shape, 3, name).data);
  const input = graph.nodes[graph.inputs[0]!]!;
  const output = graph.nodes[graph.outputs[0]!]!;
  const images = randomNormalTensor([BATCH, ...input.shape], 11, "images");
  const classes = shapeSize(output.shape);
  const labels = Int32Array.from({ length: BATCH }, (_, n) => (n * 7 + 1) % classes);
  const targets = randomNormalTensor([BATCH, ...output.shape], 13, "targets").data;
  const reference = runReference(graph, { [input.name]: images }, weights);
  const logits = reference.outputs.get(output.name)!.data;
  const expected = runReferenceBackward(graph, { [input.name]: images }, weights, new Map([[output.name, lossGradient(loss, logits, classes, labels, targets, output.attrs.op === "softmax")]]));
  const trainer = await Trainer.create(await testGpu(), graph, weights, settings(loss, fuse));
  try {
    await trainer.step({ images: images.data, labels: loss === "mse" ? targets : labels });
    const gradients = await trainer.readState("gradient");
    const trainable = graph.nodes.flatMap((node) => node.params.filter((param) => param.trainable).map((param) => `${node.name}.${param.name}`));
    expect([...gradients.keys()].sort()).toEqual(trainable.map((name) => `${name}:grad`).sort());
    for (const name of trainable) {
      const want = expected.params.get(name)!;
      const got = gradients.get(`${name}:grad`)!;
      const terms = graph.nodes.reduce((most, node) => Math.max(most, node.macs), 1);
      expectClose({ shape: [got.data.length], data: got.data }, { shape: [want.length], data: Float32Array.from(want) }, toleranceFor(terms), `${graph.name} d loss / d ${name}${fuse ? "" : " (unfused)"}`);
    }
  } finally {
    await trainer.destroy();
  }
}

const NETWORKS: Record<string, { source: string; loss: "cross_entropy" | "mse" }> = {
  "LeNet-style: tanh, avgpool and a softmax output (cross-entropy fused with it)": {
    loss: "cross_entropy",
    source: `network Small {
  input x: 1x12x12
  conv(3, 5) as c1 -> tanh -> avgpool(2)
  conv(4, 3) as c2 -> tanh
  fc(8) as f1 -> tanh
  fc(4) as out -> softmax
}`,
  },
  "strided, dilated, grouped and asymmetrically padded convs with every activation": {
    loss: "cross_entropy",
    source: `network Convs {
  input x: 4x12x10
  conv(6, 3, stride=2, pad=[0, 1, 1, 0]) as c1 -> leaky_relu(alpha=0.2)
  conv(6, 3, dilation=2, pad=2, groups=2) as c2 -> elu(alpha=0.7)
  conv(5, [1, 3], pad=[0, 0, 1, 1]) as c3 -> tanh
  conv(4, 1) as c4 -> sigmoid
  fc(5) as out
}`,
  },
  "overlapping max, avg (ceil, count_pad) and l2 pools, global pools": {
    loss: "cross_entropy",
    source: `network Pools {
  input x: 3x13x13
  conv(4, 3, pad=1) as c1 -> relu -> maxpool(3, stride=2) as p1
  conv(4, 3, pad=1) as c2 -> relu -> avgpool(2, rounding=ceil, count_pad=false) as p2
  conv(4, 2) as c3 -> l2pool(2, stride=1) as p3
  conv(6, 1) as c4 -> global_avgpool
  fc(3) as out
}`,
  },
  "local response norms (odd and even sizes) after a relu and straight after a conv": {
    loss: "cross_entropy",
    source: `network Norms {
  input x: 3x8x8
  conv(5, 3, pad=1) as c1 -> relu -> lrn(size=3, alpha=0.5, beta=0.75, k=1) as n1 -> maxpool(2) as p1
  conv(6, 3) as c2 -> lrn(size=4, alpha=1, beta=0.6, k=2) as n2
  fc(4) as out
}`,
  },
  "a residual sum, a concat, dropout-free fc layers and mse": {
    loss: "mse",
    source: `network Merge {
  input x: 3x6x6
  a = conv(4, 3, pad=1) as c1 -> relu
  b = a -> conv(4, 3, pad=1) as c2
  s = add(a, b) -> relu
  t = s -> conv(2, 1) as c3 -> global_maxpool
  u = s -> conv(3, 1) as c4 -> global_avgpool
  concat(t, u) -> flatten -> fc(6) as f1 -> tanh -> fc(2) as out
}`,
  },
};

describe("training-step gradients on the GPU equal the float64 reference's", () => {
  for (const [what, { source, loss }] of Object.entries(NETWORKS)) {
    it(what, async () => {
      const graph = compileText(source);
      await checkGradients(graph, loss, true);
      await checkGradients(graph, loss, false);
    });
  }
});
