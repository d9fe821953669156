// The course notes' "VGGNet in detail" table, row by row, against `cnnc summary` of examples/vgg16.cnn.
import { describe, expect, it } from "vitest";
import { summarizeGraph } from "../../src/ir/summary.js";
import { compileExample } from "./exampleHelpers.js";

// Transcribed from the notes: [volume, memory product, weights (no biases)].
const NOTES_ROWS: [string, string, number][] = [
  ["224x224x3", "224*224*3", 0],
  ["224x224x64", "224*224*64", 1_728],
  ["224x224x64", "224*224*64", 36_864],
  ["112x112x64", "112*112*64", 0],
  ["112x112x128", "112*112*128", 73_728],
  ["112x112x128", "112*112*128", 147_456],
  ["56x56x128", "56*56*128", 0],
  ["56x56x256", "56*56*256", 294_912],
  ["56x56x256", "56*56*256", 589_824],
  ["56x56x256", "56*56*256", 589_824],
  ["28x28x256", "28*28*256", 0],
  ["28x28x512", "28*28*512", 1_179_648],
  ["28x28x512", "28*28*512", 2_359_296],
  ["28x28x512", "28*28*512", 2_359_296],
  ["14x14x512", "14*14*512", 0],
  ["14x14x512", "14*14*512", 2_359_296],
  ["14x14x512", "14*14*512", 2_359_296],
  ["14x14x512", "14*14*512", 2_359_296],
  ["7x7x512", "7*7*512", 0],
  ["4096", "4096", 102_760_448],
  ["4096", "4096", 16_777_216],
  ["1000", "1000", 4_096_000],
];

describe("VGG-16 against the notes' table", () => {
  const summary = summarizeGraph(compileExample("vgg16.cnn"), 1);
  // The notes list no ReLU/dropout rows: those layers run in place.
  const rows = summary.rows.filter((row) => row.activationsText !== "in place");

  it("has the notes' rows: volume, activations and weights (our params add the biases)", () => {
    expect(rows.map((row) => row.volume)).toEqual(NOTES_ROWS.map(([volume]) => volume));
    expect(rows.map((row) => row.activationsText.split(" = ")[0])).toEqual(NOTES_ROWS.map(([, product]) => product));
    const biases = rows.map((row) => (row.op === "conv" || row.op === "fc" ? row.output[0]! : 0));
    expect(rows.map((row, i) => row.params - biases[i]!)).toEqual(NOTES_ROWS.map(([, , weights]) => weights));
  });

  it("writes the cells the way the notes do", () => {
    const conv11 = rows[1]!;
    expect([conv11.name, conv11.op, conv11.volume, conv11.activationsText, conv11.paramsText]).toEqual([
      "conv1_1",
      "conv",
      "224x224x64",
      "224*224*64 = 3.2M",
      "(3*3*3)*64 + 64 = 1,792",
    ]);
    expect(rows[19]!.paramsText).toBe("7*7*512*4096 + 4096 = 102,764,544");
    expect(rows[3]!.activationsText).toBe("112*112*64 = 803K");
  });

  it("totals 138,357,544 params and 15,237,608 activations per image (about 58 MiB in float32)", () => {
    expect(summary.totals.params).toBe(138_357_544);
    expect(summary.totals.activations).toBe(15_237_608);
    expect(summary.totals.activations).toBe(NOTES_ROWS.reduce((total, [, product]) => total + product.split("*").reduce((p, f) => p * Number(f), 1), 0));
    expect(summary.memory.activationBytes / 2 ** 20).toBeCloseTo(58.13, 2);
    // Not the notes' "TOTAL memory: 24M * 4 bytes ~= 93MB": that line does not match the table's own rows.
    expect(summary.totals.activations).toBeLessThan(24_000_000 * 0.7);
  });

  it("estimates forward and training memory at a batch size", () => {
    const batch = summarizeGraph(compileExample("vgg16.cnn"), 32).memory;
    const activations = 15_237_608 * 4 * 32;
    const params = 138_357_544 * 4;
    expect(batch).toEqual({
      batch: 32,
      activationBytes: activations,
      parameterBytes: params,
      forwardBytes: activations + params,
      trainingBytes: 2 * activations + 3 * params,
    });
  });

  it("counts the MACs of each conv and fc", () => {
    expect(summary.rows.find((row) => row.name === "conv1_1")!.macs).toBe(224 * 224 * 64 * 3 * 3 * 3);
    expect(summary.rows.find((row) => row.name === "fc6")!.macs).toBe(7 * 7 * 512 * 4096);
    expect(summary.totals.macs).toBe(15_470_264_320);
  });
});

describe("the notes' small examples", () => {
  it("32x32x3 input, ten 5x5 filters, stride 1, pad 2: 32x32x10 and 760 params", async () => {
    const { compileSource } = await import("../../src/compile.js");
    const result = compileSource("network Notes {\n  input image: 3x32x32\n  conv(10, 5, stride=1, pad=2)\n}\n", "notes.cnn", { verify: true });
    expect(result.diagnostics).toEqual([]);
    const conv = result.graph!.nodes[1]!;
    expect([conv.shape, conv.paramCount]).toEqual([[10, 32, 32], 760]);
    expect(summarizeGraph(result.graph!).rows[1]!.paramsText).toBe("(5*5*3)*10 + 10 = 760");
  });
});
