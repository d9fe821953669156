// Training a network with several outputs: the loss reads the one the train section names; the
// training step builds and verifies, and only the layers feeding that output get updates.
import { describe, expect, it } from "vitest";
import { CnncUserError } from "../../src/errors.js";
import { buildTrainingKernelGraph } from "../../src/pipeline.js";
import { withLossOutput } from "../../src/training/lossOutput.js";
import { compileOk } from "../elaborate/compileHelpers.js";

const NETWORK = `network Heads {
  input image: 1x8x8
  trunk = conv(4, 3, pad=1) -> relu
  aux = trunk -> global_avgpool -> fc(3)
  main = trunk -> maxpool(2) -> fc(10)
  outputs main, aux
}
`;

describe("withLossOutput", () => {
  it("keeps a one-output graph as it is", () => {
    const graph = compileOk(NETWORK.replace("outputs main, aux", "add(main, main)").replace("aux = trunk -> global_avgpool -> fc(3)\n", ""));
    expect(withLossOutput(graph)).toBe(graph);
  });

  it("trains on the output the train section names; the other head's layers get no update", () => {
    const graph = withLossOutput(compileOk(`${NETWORK}train {\n  output = aux\n}\n`));
    expect(graph.outputs.map((id) => graph.nodes[id]!.name)).toEqual(["aux.fc"]);
    const step = buildTrainingKernelGraph(graph, { loss: "cross_entropy", optimizer: { kind: "sgd" }, batch: 4, verify: true });
    const updated = step.kernels.filter((kernel) => kernel.training?.phase === "update").map((kernel) => graph.nodes[kernel.anchorLayer]!.name);
    expect(updated).toEqual(["trunk", "trunk", "aux.fc", "aux.fc"]);
  });

  it("asks which output to train on when no train section says", () => {
    const graph = compileOk(NETWORK);
    expect(() => withLossOutput(graph)).toThrow(CnncUserError);
    expect(() => withLossOutput(graph)).toThrow("Heads has 2 outputs (main.fc, aux.fc), and training takes the loss of one");
  });
});
