import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shapeSize } from "../../src/ir/graph.js";
import { stateDict, type StateDictEntry } from "../../src/ir/stateDict.js";
import { EXAMPLES_DIR, compileExample, shapesOf, totalParams } from "./exampleHelpers.js";

describe("every example", () => {
  const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith(".cnn"));

  it("includes the networks of the issue", () => {
    expect(files.sort()).toEqual(
      ["alexnet", "fashion_cnn", "googlenet", "lenet5", "lenet5_fashion", "mobilenet_se", "resnet18", "resnet34", "textcnn", "unet_small", "vgg16", "vgg19", "zfnet"].map((name) => `${name}.cnn`),
    );
  });

  for (const file of files) {
    it(`${file} compiles without diagnostics and verifies after every pass`, () => {
      expect(compileExample(file).nodes.length).toBeGreaterThan(3);
    });
  }
});

describe("known parameter counts", () => {
  it("LeNet-5 with the full C3: 61,706", () => {
    const graph = compileExample("lenet5.cnn");
    expect(totalParams(graph)).toBe((5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10));
    expect(totalParams(graph)).toBe(61_706);
    expect(graph.nodes.map((n) => n.shape)).toEqual([
      [1, 32, 32], [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5],
      [120], [120], [84], [84], [10], [10],
    ]);
  });

  it("the small U-Net: 14,346, back to 32x32 through conv_transpose and upsample with concat skips", () => {
    const graph = compileExample("unet_small.cnn");
    // enc1 + bn1 + enc2 + mid + up2 (weight [32, 16, 2, 2]) + dec2 + dec1 + head.
    expect(totalParams(graph)).toBe(80 + 16 + 1168 + 4640 + (32 * 16 * 2 * 2 + 16) + 4624 + 1736 + 18);
    expect(totalParams(graph)).toBe(14_346);
    const shape = (name: string): number[] | undefined => graph.nodes.find((node) => node.name === name)?.shape;
    expect([shape("up2"), shape("up1"), shape("d1"), shape("head")]).toEqual([[16, 16, 16], [16, 32, 32], [24, 32, 32], [2, 32, 32]]);
  });

  it("VGG-16: 138,357,544 and VGG-19: 143,667,240", () => {
    expect(totalParams(compileExample("vgg16.cnn"))).toBe(138_357_544);
    expect(totalParams(compileExample("vgg19.cnn"))).toBe(143_667_240);
  });

  it("ResNet-18: 11,689,512 and ResNet-34: 21,797,672, as torchvision", () => {
    expect(totalParams(compileExample("resnet18.cnn"))).toBe(11_689_512);
    expect(totalParams(compileExample("resnet34.cnn"))).toBe(21_797_672);
  });

  it("AlexNet as the notes draw it: CONV1 55x55x96 and the listed volumes", () => {
    const graph = compileExample("alexnet.cnn");
    const volumes = graph.nodes.filter((n) => ["conv", "pool", "lrn", "fc"].includes(n.attrs.op)).map((n) => [n.name, n.shape]);
    expect(volumes).toEqual([
      ["conv1", [96, 55, 55]], ["pool1", [96, 27, 27]], ["norm1", [96, 27, 27]],
      ["conv2", [256, 27, 27]], ["pool2", [256, 13, 13]], ["norm2", [256, 13, 13]],
      ["conv3", [384, 13, 13]], ["conv4", [384, 13, 13]], ["conv5", [256, 13, 13]], ["pool3", [256, 6, 6]],
      ["fc6", [4096]], ["fc7", [4096]], ["fc8", [1000]],
    ]);
    expect(graph.nodes[1]!.paramCount).toBe(11 * 11 * 3 * 96 + 96);
    expect(totalParams(graph)).toBe(62_378_344);
  });

  it("ZFNet: 7x7 stride 2 first layer and 512/1024/512 middle layers", () => {
    const graph = compileExample("zfnet.cnn");
    expect(shapesOf(graph, "conv")).toEqual([[96, 110, 110], [256, 26, 26], [512, 13, 13], [1024, 13, 13], [512, 13, 13]]);
    expect(shapesOf(graph, "pool")).toEqual([[96, 55, 55], [256, 13, 13], [512, 6, 6]]);
    const expected =
      (7 * 7 * 3 * 96 + 96) + (5 * 5 * 96 * 256 + 256) + (3 * 3 * 256 * 512 + 512) + (3 * 3 * 512 * 1024 + 1024) +
      (3 * 3 * 1024 * 512 + 512) + (6 * 6 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000);
    expect(totalParams(graph)).toBe(expected);
  });

  it("GoogLeNet: the inception outputs of table 1 and global average pooling", () => {
    const graph = compileExample("googlenet.cnn");
    expect(shapesOf(graph, "concat")).toEqual([
      [256, 28, 28], [480, 28, 28],
      [512, 14, 14], [512, 14, 14], [512, 14, 14], [528, 14, 14], [832, 14, 14],
      [832, 7, 7], [1024, 7, 7],
    ]);
    expect(shapesOf(graph, "global_pool")).toEqual([[1024, 1, 1]]);
    // Table 1 of the paper lists 6.8M parameters for the whole network; counted exactly (biases included,
    // auxiliary classifiers excluded) it is 6,998,552.
    expect(totalParams(graph)).toBe(6_998_552);
  });

  it("TextCNN: widths 3/4/5 over a 5x7 sentence, 1-max pooling, concat", () => {
    const graph = compileExample("textcnn.cnn");
    expect(graph.nodes[0]!.shape).toEqual([5, 7]);
    expect(shapesOf(graph, "conv")).toEqual([[100, 5], [100, 4], [100, 3]]);
    expect(shapesOf(graph, "global_pool")).toEqual([[100, 1], [100, 1], [100, 1]]);
    expect(shapesOf(graph, "concat")).toEqual([[300, 1]]);
    expect(graph.nodes.filter((n) => n.attrs.op === "conv").map((n) => n.params[0]!.shape)).toEqual([[100, 5, 3], [100, 5, 4], [100, 5, 5]]);
    expect(totalParams(graph)).toBe((3 * 5 * 100 + 100) + (4 * 5 * 100 + 100) + (5 * 5 * 100 + 100) + (300 * 2 + 2));
  });

  it("FashionCNN: 1x28x28, two conv stages, 105,914 parameters, and its train section", () => {
    const graph = compileExample("fashion_cnn.cnn");
    expect(shapesOf(graph, "pool")).toEqual([[16, 14, 14], [32, 7, 7]]);
    expect(shapesOf(graph, "batchnorm")).toEqual([[16, 28, 28], [32, 14, 14]]);
    expect(totalParams(graph)).toBe(16 * 9 + 2 * 16 + 32 * 16 * 9 + 2 * 32 + (32 * 7 * 7 * 64 + 64) + (64 * 10 + 10));
    expect(graph.train).toEqual({
      loss: "cross_entropy",
      optimizer: { kind: "sgd", momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      learningRate: 0.1,
      schedule: { kind: "one_cycle", pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
      warmupEpochs: 0,
      batch: 64,
      epochs: 8,
      data: { kind: "fashion_mnist", path: "/usr/share/datasets/fashion-mnist" },
      span: graph.train!.span,
    });
  });

  it("LeNet-5 for Fashion-MNIST: C1 pads 28x28 by 2, so it has lenet5.cnn's shapes and parameters from S2 on", () => {
    const padded = compileExample("lenet5_fashion.cnn");
    const original = compileExample("lenet5.cnn");
    expect(totalParams(padded)).toBe(totalParams(original));
    expect(padded.nodes.slice(2).map((node) => node.shape)).toEqual(original.nodes.slice(2).map((node) => node.shape));
    expect(padded.train?.epochs).toBe(8);
  });
});

describe("PyTorch names", () => {
  /** A state_dict entry as `print(k, tuple(v.shape))` prints it: `bn1.weight (64,)`, `bn1.num_batches_tracked ()`. */
  const pythonLine = (entry: StateDictEntry): string =>
    `${entry.name} (${entry.shape.join(", ")}${entry.shape.length === 1 ? "," : ""})`;

  for (const [example, keys] of [["resnet18.cnn", "resnet18-state-dict.txt"], ["resnet34.cnn", "resnet34-state-dict.txt"]] as const) {
    it(`${example} expects exactly torchvision's state_dict (data/${keys}): names, shapes, buffers, order`, () => {
      const expected = readFileSync(join(import.meta.dirname, "data", keys), "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
      const entries = stateDict(compileExample(example));
      expect(entries.map(pythonLine)).toEqual(expected);
      const buffers = entries.filter((entry) => entry.kind === "buffer").map((entry) => entry.name.slice(entry.name.lastIndexOf(".") + 1));
      expect(new Set(buffers)).toEqual(new Set(["running_mean", "running_var", "num_batches_tracked"]));
    });
  }

  it("the trained parameters of that state_dict are torchvision's count", () => {
    const parameters = stateDict(compileExample("resnet18.cnn")).filter((entry) => entry.kind === "parameter");
    expect(parameters.reduce((total, entry) => total + shapeSize(entry.shape), 0)).toBe(11_689_512);
  });
});
