// The translator from cnnc's layer graph to tfjs-core ops: a small network using every op it
// translates, run on tfjs-webgpu (on the GPU) with cnnc's weights, equals cnnc's float64 reference
// within `cnnc run --check`'s tolerance; layers tfjs cannot run are named, never dropped.
import { afterAll, describe, expect, it } from "vitest";

import { openTfjsWebgpu, tfjsMemory, type TfjsWebgpu } from "../../../bench/peers/tfjsWebgpu.js";
import { runTfjsModel } from "../../../bench/suite/networks.js";
import { buildTfjsModel, tfjsUnsupportedNodes } from "../../../bench/suite/tfjsGraph.js";
import { compareOutput } from "../../../runtime/compareOutputs.js";
import { hasErrors } from "../../../grammar/diagnostics.js";
import { compileSource } from "../../../src/compile.js";
import { CnncUserError } from "../../../src/errors.js";
import type { Graph } from "../../../src/ir/graph.js";
import { runReference } from "../../../src/reference/interpret.js";
import { randomTensor, randomWeights, seededRandom } from "../../reference/graphBuilders.js";

let peer: TfjsWebgpu | undefined;
afterAll(() => peer?.destroy());

function compile(source: string): Graph {
  const result = compileSource(source, "test.cnn");
  if (hasErrors(result.diagnostics) || result.graph === undefined) throw new Error(`does not compile:\n${source}`);
  return result.graph;
}

// conv (plain with a fused relu, depthwise, dilated, strided), batchnorm on volumes and features,
// every activation, lrn, add, concat, max and average pooling with padding and ceil rounding (the
// average both with and without the padding counted), global pools, flatten, fc of a volume and of a
// vector, dropout and softmax.
const EVERY_OP = `network EveryOp {
  input x: 3x10x10
  c1 = conv(8, 3, pad=1) as c1 -> batchnorm as bn1 -> relu
  d1 = c1 -> conv(8, 3, pad=1, groups=8) as dw -> leaky_relu(0.1)
  d2 = c1 -> conv(4, 3, pad=2, dilation=2) as dil -> elu
  s = add(c1, d1) -> lrn(3) as norm -> tanh
  cat = concat(s, d2)
  p1 = cat -> maxpool(3, stride=2, pad=1, rounding=ceil)
  p2 = avgpool(3, stride=2, pad=1, rounding=ceil, count_pad=false)
  p3 = avgpool(2, stride=1, pad=1) -> conv(6, 3, stride=2, pad=1, bias=false) as strided -> sigmoid
  f1 = p3 -> fc(10) as fc1 -> batchnorm as bn2 -> dropout(0.5)
  g1 = p3 -> global_avgpool -> flatten -> fc(10) as fc2 -> relu
  g2 = p3 -> global_maxpool -> flatten -> fc(10) as fc3
  add(f1, g1, g2) -> softmax
}
`;

describe("tfjs translation of cnnc's layer graph", () => {
  it("runs a network of every translated op on tfjs-webgpu equal to cnnc's float64 reference", async () => {
    peer ??= await openTfjsWebgpu();
    const graph = compile(EVERY_OP);
    expect(tfjsUnsupportedNodes(graph)).toEqual([]);
    const ops = new Set(graph.nodes.map((node) => node.attrs.op));
    for (const op of ["conv", "batchnorm", "relu", "leaky_relu", "elu", "tanh", "sigmoid", "lrn", "add", "concat", "pool", "global_pool", "flatten", "fc", "dropout", "softmax"]) expect(ops).toContain(op);
    const random = seededRandom(5);
    const weights = randomWeights(graph, random);
    const input = randomTensor([2, 3, 10, 10], random);
    const inputs = new Map([["x", input]]);
    // Softmax of near-equal sums hides errors: compare the logits too, by cutting the softmax off.
    const logitsGraph = compile(EVERY_OP.replace("add(f1, g1, g2) -> softmax", "add(f1, g1, g2) as logits"));
    for (const [what, network] of [["softmax", graph], ["logits", logitsGraph]] as const) {
      const expected = runReference(network, inputs, weights).outputs.get(network.nodes[network.outputs[0]!]!.name)!;
      const errorsBefore = peer.validationErrors();
      const before = tfjsMemory();
      const model = buildTfjsModel(network, weights);
      const actual = (await runTfjsModel(model, model.prepareInputs(inputs))).get(network.nodes[network.outputs[0]!]!.name)!;
      model.dispose();
      expect(peer.validationErrors() - errorsBefore, peer.errorMessages().join("\n")).toBe(0);
      expect(tfjsMemory().numTensors, `${what}: tfjs tensors left behind`).toBe(before.numTensors);
      expect(actual.shape).toEqual(expected.shape);
      const comparison = compareOutput(what, actual, expected);
      expect(comparison.passed, `${what}: max abs error ${comparison.maxAbsError}, ${comparison.failures} failures`).toBe(true);
    }
  });

  it("names every layer tfjs cannot run and refuses the network", () => {
    const graph = compile(`network Odd {
  input x: 4x8x8
  conv(4, 3, groups=2) as grouped
  l2pool(2) as p
  conv(4, 3, padding_mode=reflect, pad=1) as reflected
}
`);
    expect(tfjsUnsupportedNodes(graph).map(({ layer }) => layer)).toEqual(["grouped", "p", "reflected"]);
    expect(() => buildTfjsModel(graph, randomWeights(graph, seededRandom(1)))).toThrow(CnncUserError);
    expect(() => buildTfjsModel(graph, randomWeights(graph, seededRandom(1)))).toThrow(/layer grouped \(conv\): tfjs has no grouped conv with 2 groups over 4 channels; layer p \(pool\)/);
  });
});
