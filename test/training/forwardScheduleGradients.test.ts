// Every forward conv schedule kind that is legal in training gives the same training-step gradients as
// the float64 reference (runReferenceBackward): the networks' convs (strided, dilated, grouped,
// depthwise, asymmetrically padded, every padding mode, 1-D) are forced to each kind in turn, so the
// backward kernels run after each forward kernel. The table is every conv kind of
// the schedule registry that is legal for some conv of the network with weights that change on the
// device (constantWeights false): kinds registered later join it, kinds illegal in training do not.
import { describe, expect, it } from "vitest";
import { convGeometry } from "../../src/codegen/conv/geometry.js";
import type { Graph } from "../../src/ir/graph.js";
import { convShapeOfGeometry } from "../../src/schedule/workloadOf.js";
import { SCHEDULE_KINDS } from "../../src/schedule/registry.js";
import { PORTABLE_TARGET, type ScheduleKindDefinition, type Workload } from "../../src/schedule/types.js";
import { buildTrainingKernelGraph } from "../../src/pipeline.js";
import { compileText } from "../kernels/kernelHelpers.js";
import { checkGradients } from "./gradientCheck.js";

const BATCH = 3;

/** Each conv layer of `graph` as a training workload (weights updated on the device). */
function trainingConvWorkloads(graph: Graph): { layer: string; workload: Workload }[] {
  return graph.nodes.flatMap((node) => {
    if (node.attrs.op !== "conv") return [];
    const conv = convShapeOfGeometry(convGeometry(graph, node, node.attrs, BATCH));
    return [{ layer: node.name, workload: { op: "conv" as const, conv, epilogue: "", pooled: "", store: "plain", constantWeights: false } }];
  });
}

/** The --schedule options forcing `kind` on `layers`. */
function forcing(kind: string, layers: readonly string[]): { layers: Record<string, string> } {
  return { layers: Object.fromEntries(layers.map((layer) => [layer, kind])) };
}

/** Per forward kind to test, the conv layers it is forced on (those it is legal for in training). */
function trainingForwardKinds(graph: Graph, kinds: readonly ScheduleKindDefinition[]): Map<string, string[]> {
  const convs = trainingConvWorkloads(graph);
  const table = new Map<string, string[]>();
  for (const definition of kinds.filter((candidate) => candidate.ops.includes("conv"))) {
    const legal = convs.filter(({ workload }) => definition.illegal(workload, PORTABLE_TARGET) === undefined).map(({ layer }) => layer);
    if (legal.length > 0) table.set(definition.kind, legal);
  }
  return table;
}

const NETWORKS: Record<string, string> = {
  "2-D convs: strided, dilated, grouped, depthwise, asymmetric padding, every padding mode": `network Convs2d {
  input x: 4x12x10
  conv(6, 3, stride=2, pad=[0, 1, 1, 0]) as c1 -> relu
  conv(6, 3, dilation=2, pad=2, groups=2, padding_mode=reflect) as c2 -> tanh
  conv(6, 3, pad=1, groups=6, padding_mode=replicate) as c3 -> elu(alpha=0.7)
  conv(8, [3, 2], stride=[1, 2], pad=[1, 1, 0, 1], padding_mode=circular) as c4 -> sigmoid
  conv(4, 1) as c5
  fc(5) as out
}`,
  "1-D convs: strided, dilated, reflect-padded": `network Convs1d {
  input x: 3x17
  conv1d(5, 3, stride=2, pad=1) as c1 -> relu
  conv1d(6, 3, dilation=2, pad=2, padding_mode=reflect) as c2 -> tanh
  fc(4) as out
}`,
};

describe("training gradients under every forward conv schedule kind legal in training", () => {
  for (const [what, source] of Object.entries(NETWORKS)) {
    const graph = compileText(source);
    for (const [kind, layers] of trainingForwardKinds(graph, SCHEDULE_KINDS)) {
      it(`${what}: forward convs ${kind}`, async () => {
        await checkGradients(graph, "cross_entropy", true, forcing(kind, layers));
      });
    }
  }
});

describe("the forward kinds tested in training", () => {
  const graph = compileText(NETWORKS["1-D convs: strided, dilated, reflect-padded"]!);
  const kind = (name: string, illegal: ScheduleKindDefinition["illegal"]): ScheduleKindDefinition => ({
    kind: name,
    ops: ["conv"],
    summary: name,
    knobs: {},
    illegal,
    illegalKnobs: () => undefined,
    defaultSchedule: () => ({ kind: name }),
  });

  it("are the given conv kinds legal in training, each on the convs it is legal for", () => {
    const table = trainingForwardKinds(graph, [kind("any_conv", () => undefined)]);
    expect([...table.keys()]).toEqual(["any_conv"]);
    for (const layers of table.values()) expect(layers).toEqual(["c1", "c2"]);
  });

  it("run as forced: the training step's forward conv kernels carry the kind", () => {
    for (const source of Object.values(NETWORKS)) {
      const network = compileText(source);
      for (const [forced, layers] of trainingForwardKinds(network, SCHEDULE_KINDS)) {
        const kernels = buildTrainingKernelGraph(network, { loss: "cross_entropy", optimizer: { kind: "sgd", momentum: 0 }, schedule: forcing(forced, layers), batch: BATCH });
        // The layers the kind is legal for (gemm: only the 1x1 conv) carry it; the others keep their default.
        const convs = kernels.kernels.filter((kernel) => kernel.anchor === "conv" && layers.includes(network.nodes[kernel.anchorLayer]!.name));
        expect(convs.map((kernel) => network.nodes[kernel.anchorLayer]!.name).sort()).toEqual([...layers].sort());
        for (const kernel of convs) expect(kernel.schedule?.kind).toBe(forced);
      }
    }
  });

  it("leave out a kind its legality refuses for weights that change on the device, and force a kind only where it is legal", () => {
    const constantOnly = kind("constant_only", (workload) => (workload.op === "conv" && !workload.constantWeights ? "needs constant weights" : undefined));
    const stridedOnly = kind("strided_only", (workload) => (workload.op === "conv" && workload.conv.stride[1] === 1 ? "needs a stride" : undefined));
    const table = trainingForwardKinds(graph, [constantOnly, stridedOnly]);
    expect(table.has("constant_only")).toBe(false);
    expect(table.get("strided_only")).toEqual(["c1"]);
  });
});
