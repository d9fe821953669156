// The text of generated shaders: no layer name anywhere (identical kernels of different layers must
// have identical text to share one program), line 1 the title, and a header giving the workgroup size
// and the bindings. Checked over every kernel the example networks build, and over the fused variants
// (pooled conv, channel-slice stores, epilogue stages, in place) emitted directly.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/pipeline.js";
import { emitConv } from "../../src/codegen/conv/conv.js";
import { activationStage, batchnormStage, biasStage, residualAddStage, scaleShiftStage } from "../../src/codegen/epilogue.js";
import { emitElementwise } from "../../src/codegen/elementwise.js";
import { generatePool } from "../../src/codegen/pool.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import { compileFile } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";
import { chainGraph, conv2d, pool2d } from "../reference/graphBuilders.js";
import { TestPlan } from "./kernelHarness.js";

const MARKER = "zqlayer";

/** `graph` with every layer renamed `zqlayer<id>x`: a name no WGSL text contains by chance. */
function renamed(graph: Graph): Graph {
  return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, name: `${MARKER}${node.id}x` })) };
}

function exampleGraph(file: string): Graph {
  const graph = compileFile(`examples/${file}`).graph;
  if (graph === undefined) throw new Error(`test: examples/${file} does not compile`);
  return graph;
}

/** The header: the leading `//` lines. */
function headerOf(wgsl: string): string[] {
  const lines = wgsl.split("\n");
  return lines.slice(0, lines.findIndex((line) => !line.startsWith("//")));
}

/**
 * The shader without the `layers:` lines a plan's program header gets (src/codegen/programs.ts): they
 * name the layers using the program, by design; the generated code must name none.
 */
function generatedText(wgsl: string): string {
  return wgsl
    .split("\n")
    .filter((line) => !/^\/\/ {3}(layers:| {7}) /.test(line))
    .join("\n");
}

function expectCleanShader(planWgsl: string, what: string): void {
  const wgsl = generatedText(planWgsl);
  expect(wgsl, what).not.toContain(MARKER);
  const header = headerOf(wgsl);
  expect(header[0], `${what}: line 1 is the title`).toMatch(/^\/\/ \S/);
  expect(header.slice(1).every((line) => line.startsWith("//   ")), `${what}: header lines`).toBe(true);
  expect(header.some((line) => /^\/\/ {3}workgroup size: \d+$/.test(line)), `${what}: workgroup size`).toBe(true);
  expect(header.some((line) => /^\/\/ {3}bindings: \w+ \((read|read_write)\)/.test(line)), `${what}: bindings`).toBe(true);
}

describe("generated shaders name no layer", () => {
  it.each(["lenet5.cnn", "alexnet.cnn", "resnet18.cnn", "googlenet.cnn", "textcnn.cnn"])("%s", (file) => {
    const plan = buildPlan(renamed(exampleGraph(file)), 2);
    expect(plan.steps.length).toBeGreaterThan(5);
    for (const step of plan.steps) expectCleanShader(step.wgsl, step.name);
  });

  it("so identical layers get identical text (ResNet-18's repeated 3x3 convs)", () => {
    const plan = buildPlan(exampleGraph("resnet18.cnn"), 1);
    const programOf = (layer: string): string => plan.steps.find((step) => step.layer.startsWith(`${layer}+`))!.program;
    expect(programOf("layer1.0.conv1")).toBe(programOf("layer1.1.conv1"));
    expect(new Set(plan.steps.map((step) => step.wgsl)).size).toBe(plan.programs.length);
    expect(plan.programs.length).toBeLessThan(plan.steps.length);
    const shared = plan.programs.find((program) => program.key === programOf("layer1.0.conv1"))!;
    expect(shared.wgsl).toMatch(/\/\/ {3}layers: layer1\.0\.conv1 conv \(.*resnet\.cnn:\d+:\d+\)/);
    expect(shared.layers.length).toBeGreaterThanOrEqual(2);
  });

  it("nor do the fused variants: pooled conv, channel-slice stores, epilogue stages, in place", () => {
    const conv = conv2d({ out: 8, kernel: 3, padding: 1 });
    const graph = renamed(chainGraph([3, 8, 8], [conv, pool2d({ kind: "max", window: 2 }), { op: "relu" }]));
    const [convNode, poolNode, reluNode] = [graph.nodes[1]!, graph.nodes[2]!, graph.nodes[3]!];
    const poolAttrs = poolNode.attrs;
    if (poolAttrs.op !== "pool") throw new Error("test: node 2 is the pool");
    const test = new TestPlan(graph, 2);
    const slice = { kind: "channel_slice", channelOffset: 2, totalChannels: 12 } as const;
    for (const kind of ["direct", "im2col"] as const) {
      convNode.schedule = chosenSchedule(graph, convNode, kind);
      test.emit(convNode, new Map(), { inputBuffers: [0], outputBuffer: 1, outputStore: slice }, (node, context) =>
        emitConv(node, context, [biasStage(context.paramBuffer("bias")), scaleShiftStage(5, 6, "0"), residualAddStage(7, "1"), activationStage({ op: "elu", alpha: 0.5 })]),
      );
    }
    convNode.schedule = chosenSchedule(graph, convNode, "direct");
    test.emit(convNode, new Map(), { inputBuffers: [0], outputBuffer: 1, outputStore: slice }, (node, context) =>
      emitConv(node, context, [biasStage(context.paramBuffer("bias"))], { pool: { attrs: poolAttrs, shape: poolNode.shape } }),
    );
    test.emit(poolNode, new Map(), { inputBuffers: [0], outputBuffer: 1, outputStore: slice }, generatePool);
    test.emit(reluNode, new Map(), { inputBuffers: [1, 2], outputBuffer: 1, inPlace: true }, (node, context) =>
      emitElementwise(node, context, [batchnormStage({ weight: 3, bias: 4, runningMean: 5, runningVar: 6 }, 1e-5, ""), activationStage({ op: "relu" })]),
    );
    expect(test.shaders().length).toBeGreaterThanOrEqual(5);
    test.shaders().forEach((wgsl, i) => expectCleanShader(wgsl, `shader ${i}`));
  });
});
