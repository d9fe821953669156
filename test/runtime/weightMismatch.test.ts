import { describe, expect, it } from "vitest";
import { checkWeights, type ExpectedWeight, weightProblems } from "../../runtime/weightMismatch.js";
import { stateDict } from "../../src/ir/stateDict.js";
import { describeShape, makeTensor, type WeightMap } from "../../src/tensor.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { userError } from "../support/userError.js";

function sampleWeights(): WeightMap {
  return new Map([
    ["fc1.weight", makeTensor([3, 5])],
    ["c1.weight", makeTensor([2, 1, 3, 3])],
    ["c1.bias", makeTensor([2])],
    ["bn1.running_var", makeTensor([3])],
  ]);
}

describe("checkWeights", () => {
  const expected = [
    { name: "c1.weight", shape: [2, 1, 3, 3] },
    { name: "c1.bias", shape: [2] },
    { name: "c2.weight", shape: [4, 2, 3, 3] },
    { name: "fc1.weight", shape: [3, 5] },
  ];

  it("accepts matching weights (and ignores num_batches_tracked)", () => {
    const weights = sampleWeights();
    weights.delete("bn1.running_var");
    weights.set("c2.weight", makeTensor([4, 2, 3, 3]));
    weights.set("bn1.num_batches_tracked", makeTensor([]));
    expect(() => checkWeights(expected, weights, "w.safetensors")).not.toThrow();
  });

  it("lists every missing, mis-shaped and extra tensor in one error, a same-shape typo as a rename", () => {
    const weights = sampleWeights();
    weights.set("c1.weight", makeTensor([2, 1, 5, 5]));
    weights.set("c1.biass", makeTensor([2]));
    weights.delete("c1.bias");
    weights.set("fc.weight", makeTensor([5, 5]));
    const error = userError(() => checkWeights(expected, weights, "w.safetensors"));
    expect(error.message).toBe(
      [
        "`w.safetensors` does not match the network (5 problems):",
        "  missing c1.bias [2]: found c1.biass of that shape (rename it)",
        "  c1.weight has shape [2, 1, 5, 5], expected [2, 1, 3, 3]",
        "  missing c2.weight, expected shape [4, 2, 3, 3]",
        "  unexpected tensor bn1.running_var [3] (the network has no such parameter)",
        "  unexpected tensor fc.weight [5, 5] (did you mean c2.weight? it is [4, 2, 3, 3])",
      ].join("\n"),
    );
    expect(error.hint).toBe(
      "weights are matched by PyTorch state_dict name and shape (conv weight [out, in/groups, kH, kW], fc weight [out, in]); " +
        "the network expects 4 tensors, and `cnnc weights MODEL.cnn` lists them",
    );
  });

  it("says `the weights` for weights given in memory", () => {
    const error = userError(() => checkWeights([{ name: "c1.bias", shape: [2] }], new Map(), undefined));
    expect(error.message).toBe("the weights do not match the network (1 problem):\n  missing c1.bias, expected shape [2]");
  });

  it("recognizes a wrapper's name prefix", () => {
    const weights: WeightMap = new Map([["model.c1.bias", makeTensor([2])]]);
    const error = userError(() => checkWeights([{ name: "c1.bias", shape: [2] }], weights, "w.safetensors"));
    expect(error.message).toContain("missing c1.bias [2]: found model.c1.bias of that shape (strip the prefix `model.`)");
  });

  it("pairs by shape first: of two close names the one of the same shape", () => {
    const weights: WeightMap = new Map([["b.conv1.weight", makeTensor([8, 4, 3, 3])]]);
    const twoBlocks = [
      { name: "a.conv1.weight", shape: [4, 4, 3, 3] },
      { name: "c.conv1.weight", shape: [8, 4, 3, 3] },
    ];
    const error = userError(() => checkWeights(twoBlocks, weights, "w.safetensors"));
    expect(error.message).toBe(
      [
        "`w.safetensors` does not match the network (2 problems):",
        "  missing c.conv1.weight [8, 4, 3, 3]: found b.conv1.weight of that shape (rename it)",
        "  missing a.conv1.weight, expected shape [4, 4, 3, 3]",
      ].join("\n"),
    );
  });

  it("pairs the only tensor of a kind and shape even under an unrelated name", () => {
    const weights: WeightMap = new Map([["features.0.weight", makeTensor([64, 3, 7, 7])], ["features.0.bias", makeTensor([64])]]);
    const stem = [
      { name: "conv1.weight", shape: [64, 3, 7, 7] },
      { name: "bn1.weight", shape: [64] },
    ];
    const error = userError(() => checkWeights(stem, weights, "w.safetensors"));
    expect(error.message).toBe(
      [
        "`w.safetensors` does not match the network (3 problems):",
        "  missing conv1.weight [64, 3, 7, 7]: found features.0.weight of that shape (rename it)",
        "  missing bn1.weight, expected shape [64]",
        "  unexpected tensor features.0.bias [64] (the network has no such parameter)",
      ].join("\n"),
    );
  });
});

describe("a ResNet-18 state_dict under older names", () => {
  // What `layerN = basic_down(C) -> [basic(C)] * 1` was named before sequential numbering: the first
  // block took the statement's name and the repeated one `layerN.repeat.0`.
  const oldName = (name: string): string => name.replace(/^(layer[234])\.0\./, "$1.").replace(/^(layer[234])\.1\./, "$1.repeat.0.");

  it("says which tensor to rename to what, the top suggestions first, in a screenful", () => {
    const entries = stateDict(compileExample("resnet18.cnn"));
    const expected: ExpectedWeight[] = entries.filter((entry) => entry.read).map(({ name, shape }) => ({ name, shape }));
    const weights: WeightMap = new Map(entries.map((entry) => [oldName(entry.name), makeTensor(entry.shape)]));
    const message = userError(() => checkWeights(expected, weights, "resnet18.safetensors")).message;
    expect(message).toBe(
      [
        "`resnet18.safetensors` does not match the network (75 problems):",
        "  missing layer2.0.conv1.weight [128, 64, 3, 3]: found layer2.conv1.weight of that shape (rename it)",
        "  missing layer2.0.bn1.weight [128]: found layer2.bn1.weight of that shape (rename it)",
        "  missing layer2.0.bn1.bias [128]: found layer2.bn1.bias of that shape (rename it)",
        "  missing layer2.0.bn1.running_mean [128]: found layer2.bn1.running_mean of that shape (rename it)",
        "  missing layer2.0.bn1.running_var [128]: found layer2.bn1.running_var of that shape (rename it)",
        "  missing layer2.0.conv2.weight [128, 128, 3, 3]: found layer2.conv2.weight of that shape (rename it)",
        "  missing layer2.0.bn2.weight [128]: found layer2.bn2.weight of that shape (rename it)",
        "  missing layer2.0.bn2.bias [128]: found layer2.bn2.bias of that shape (rename it)",
        "  missing layer2.0.bn2.running_mean [128]: found layer2.bn2.running_mean of that shape (rename it)",
        "  missing layer2.0.bn2.running_var [128]: found layer2.bn2.running_var of that shape (rename it)",
        "  missing layer2.0.downsample.0.weight [128, 64, 1, 1]: found layer2.downsample.0.weight of that shape (rename it)",
        "  missing layer2.0.downsample.1.weight [128]: found layer2.downsample.1.weight of that shape (rename it)",
        "  missing layer2.0.downsample.1.bias [128]: found layer2.downsample.1.bias of that shape (rename it)",
        "  missing layer2.0.downsample.1.running_mean [128]: found layer2.downsample.1.running_mean of that shape (rename it)",
        "  missing layer2.0.downsample.1.running_var [128]: found layer2.downsample.1.running_var of that shape (rename it)",
        "  missing layer2.1.conv1.weight [128, 128, 3, 3]: found layer2.repeat.0.conv1.weight of that shape (rename it)",
        "  ... and 59 more problems",
      ].join("\n"),
    );
    // Every one of the 75 is paired with its own old name.
    const renamed = expected.filter((weight) => oldName(weight.name) !== weight.name);
    expect(weightProblems(expected, weights)).toEqual(renamed.map((weight) => `missing ${weight.name} ${describeShape(weight.shape)}: found ${oldName(weight.name)} of that shape (rename it)`));
  });
});

describe("weightProblems under another numbering", () => {
  it("pairs same-shape tensors of one kind in layer order, numbers compared as numbers", () => {
    const expected: ExpectedWeight[] = ["conv1", "conv2", "conv3"].flatMap((layer) => [
      { name: `${layer}.weight`, shape: [4, 4, 3, 3] },
      { name: `${layer}.bias`, shape: [4] },
    ]);
    const weights: WeightMap = new Map(
      ["features.0", "features.3", "features.10"].flatMap((layer) => [
        [`${layer}.weight`, makeTensor([4, 4, 3, 3])],
        [`${layer}.bias`, makeTensor([4])],
      ]),
    );
    expect(weightProblems(expected, weights)).toEqual([
      "missing conv1.weight [4, 4, 3, 3]: found features.0.weight of that shape (rename it)",
      "missing conv1.bias [4]: found features.0.bias of that shape (rename it)",
      "missing conv2.weight [4, 4, 3, 3]: found features.3.weight of that shape (rename it)",
      "missing conv2.bias [4]: found features.3.bias of that shape (rename it)",
      "missing conv3.weight [4, 4, 3, 3]: found features.10.weight of that shape (rename it)",
      "missing conv3.bias [4]: found features.10.bias of that shape (rename it)",
    ]);
  });
});
