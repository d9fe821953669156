// `outputs a, b`: which nodes become the graph's outputs, in which order, what counts as used, what the
// passes keep (an output is never overwritten in place) and which output a train section's loss reads.
import { describe, expect, it } from "vitest";
import { compileOk, compileText, nodeNamed } from "./compileHelpers.js";

const HEADS = `network Heads {
  input image: 3x8x8
  feat = conv(4, 3, pad=1)
  boxes = feat -> relu -> conv(2, 1)
  scores = feat -> global_avgpool -> fc(5) -> softmax
  OUTPUTS
}
`;

function outputNames(source: string): string[] {
  const graph = compileOk(source);
  return graph.outputs.map((id) => graph.nodes[id]!.name);
}

describe("outputs", () => {
  it("makes the listed values the graph's outputs, in the order listed", () => {
    expect(outputNames(HEADS.replace("OUTPUTS", "outputs boxes, scores"))).toEqual(["boxes.conv", "scores.softmax"]);
    expect(outputNames(HEADS.replace("OUTPUTS", "outputs scores, boxes"))).toEqual(["scores.softmax", "boxes.conv"]);
  });

  it("without it the output is the last statement's value, as before", () => {
    expect(outputNames(HEADS.replace("OUTPUTS", "out = add(feat, feat)"))).toEqual(["out"]);
  });

  it("counts the listed values as used, and still warns about a value left out", () => {
    const listed = compileText(HEADS.replace("OUTPUTS", "outputs boxes, scores"));
    expect(listed.diagnostics).toEqual([]);
    const leftOut = compileText(HEADS.replace("OUTPUTS", "outputs scores"));
    expect(leftOut.diagnostics.map((d) => `${d.severity}[${d.code}] ${d.message}`)).toEqual(["warning[unused-value] value `boxes` is never used"]);
  });

  it("may list a value that other layers read too; it is not overwritten in place", () => {
    const graph = compileOk(HEADS.replace("OUTPUTS", "outputs feat, boxes, scores").replace("feat -> global_avgpool", "feat -> relu -> global_avgpool"));
    expect(graph.outputs.map((id) => graph.nodes[id]!.name)).toEqual(["feat", "boxes.conv", "scores.softmax"]);
    // feat has two readers anyway; a single reader of an output must not write over it either.
    const single = compileOk("network N {\n  input x: 3x8x8\n  a = conv(4, 3, pad=1)\n  b = a -> relu\n  outputs a, b\n}\n");
    expect(nodeNamed(single, "b").inPlace).toBeUndefined();
    const alone = compileOk("network N {\n  input x: 3x8x8\n  a = conv(4, 3, pad=1)\n  b = a -> relu\n}\n");
    expect(nodeNamed(alone, "b").inPlace).toBe(true);
  });

  it("gives the train section's `output` as the loss's node", () => {
    const graph = compileOk(HEADS.replace("OUTPUTS", "outputs boxes, scores") + "train {\n  output = scores\n  epochs = 2\n}\n");
    expect(graph.train?.lossOutput).toBe(nodeNamed(graph, "scores.softmax").id);
    expect(graph.train?.epochs).toBe(2);
  });

  it("needs no `output` in the train section of a one-output network, and accepts its one output", () => {
    const plain = compileOk(HEADS.replace("OUTPUTS", "out = add(feat, feat)") + "train {\n  epochs = 2\n}\n");
    expect(plain.train?.lossOutput).toBeUndefined();
    const named = compileOk(HEADS.replace("OUTPUTS", "out = add(feat, feat)") + "train {\n  output = out\n}\n");
    expect(named.train?.lossOutput).toBe(named.outputs[0]);
  });
});
