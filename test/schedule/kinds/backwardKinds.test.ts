// The backward GEMM kinds as data: registered for their ops only, defaults that their validators
// accept and that are legal on the portable target, and a reason for every illegal workload or knob
// setting (the wrong op, a workgroup past the target's limits, too many accumulators, a dispatch or a
// scratch buffer too large for the target); malformed schedules are internal errors.
import { describe, expect, it } from "vitest";
import type { Schedule } from "../../../src/ir/graph.js";
import { kindsForWorkload, scheduleKind } from "../../../src/schedule/registry.js";
import { dataGemmKind, dataGemmScheduleOf } from "../../../src/schedule/kinds/dataGemm.js";
import { filterGemmKind, filterGemmScheduleOf } from "../../../src/schedule/kinds/filterGemm.js";
import { fcDataGemmKind, fcDataGemmScheduleOf } from "../../../src/schedule/kinds/fcDataGemm.js";
import { fcWeightGemmKind, fcWeightGemmScheduleOf } from "../../../src/schedule/kinds/fcWeightGemm.js";
import { PORTABLE_TARGET, type ConvShape, type Target, type Workload } from "../../../src/schedule/types.js";

const conv: ConvShape = {
  batch: 8,
  C: 16,
  H: 14,
  W: 14,
  K: 32,
  OH: 14,
  OW: 14,
  KH: 3,
  KW: 3,
  groups: 1,
  stride: [1, 1],
  dilation: [1, 1],
  padding: { top: 1, bottom: 1, left: 1, right: 1 },
  paddingMode: "zeros",
};
const data: Workload = { op: "conv_backward_data", conv };
const filter: Workload = { op: "conv_backward_filter", conv };
const fcData: Workload = { op: "fc_backward_data", batch: 64, inFeatures: 1568, outFeatures: 64 };
const fcWeight: Workload = { op: "fc_backward_weight", batch: 64, inFeatures: 1568, outFeatures: 64 };
const KINDS = [
  { definition: dataGemmKind, workload: data, validate: dataGemmScheduleOf },
  { definition: filterGemmKind, workload: filter, validate: filterGemmScheduleOf },
  { definition: fcDataGemmKind, workload: fcData, validate: fcDataGemmScheduleOf },
  { definition: fcWeightGemmKind, workload: fcWeight, validate: fcWeightGemmScheduleOf },
];

function target(limits: Partial<Target["limits"]>): Target {
  return { ...PORTABLE_TARGET, description: "a small test adapter", limits: { ...PORTABLE_TARGET.limits, ...limits } };
}

describe("the backward kinds in the registry", () => {
  it("are each the one kind of their op, legal with legal default knobs their validator accepts", () => {
    for (const { definition, workload, validate } of KINDS) {
      expect(scheduleKind(definition.kind)).toBe(definition);
      const kinds = kindsForWorkload(workload, PORTABLE_TARGET);
      expect(kinds.map((entry) => [entry.definition.kind, entry.illegal])).toEqual([[definition.kind, undefined]]);
      const schedule = definition.defaultSchedule(workload, PORTABLE_TARGET);
      expect(definition.illegalKnobs(workload, PORTABLE_TARGET, schedule)).toBeUndefined();
      expect(validate(schedule, "test")).toEqual(schedule);
      // Every value of the knob space, with the other knobs at the default, is legal too.
      for (const [knob, values] of Object.entries(definition.knobs)) {
        for (const value of values) expect(definition.illegalKnobs(workload, PORTABLE_TARGET, { ...schedule, [knob]: value }), `${definition.kind} ${knob}=${String(value)}`).toBeUndefined();
      }
    }
  });

  it("refuse another op with a reason naming both", () => {
    expect(dataGemmKind.illegal(filter, PORTABLE_TARGET)).toBe("data_gemm computes conv_backward_data, not conv_backward_filter");
    expect(filterGemmKind.illegal(fcData, PORTABLE_TARGET)).toBe("filter_gemm computes conv_backward_filter, not fc_backward_data");
    expect(fcDataGemmKind.illegal(fcWeight, PORTABLE_TARGET)).toBe("fc_data_gemm computes fc_backward_data, not fc_backward_weight");
    expect(fcWeightGemmKind.illegal(data, PORTABLE_TARGET)).toBe("fc_weight_gemm computes fc_backward_weight, not conv_backward_data");
  });
});

describe("backward knobs past a target's limits", () => {
  it("a workgroup larger than the target allows", () => {
    const small = target({ maxComputeInvocationsPerWorkgroup: 64 });
    for (const { definition, workload } of KINDS) {
      const schedule = { ...definition.defaultSchedule(workload, small), workgroupSize: 128 };
      expect(definition.illegalKnobs(workload, small, schedule)).toBe("a workgroup of 128 invocations is more than a small test adapter allows (64)");
    }
  });

  it("more workgroups than a 2-D dispatch holds", () => {
    const tiny = target({ maxComputeWorkgroupsPerDimension: 3 });
    const schedule = { ...dataGemmKind.defaultSchedule(data, tiny), pixels: 1, channels: 1, workgroupSize: 1 };
    expect(dataGemmKind.illegalKnobs(data, tiny, schedule)).toBe(`${8 * 16 * 14 * 14} workgroups are more than a 2-D dispatch on a small test adapter holds (3^2)`);
  });

  it("too many accumulators, or a knob out of range", () => {
    const cases: [typeof dataGemmKind, Workload, Schedule, string][] = [
      [dataGemmKind, data, { kind: "data_gemm", pixels: 32, channels: 16, workgroupSize: 64 }, "data_gemm holds pixels x channels = 512 accumulators, more than 256"],
      [filterGemmKind, filter, { kind: "filter_gemm", filters: 32, columns: 64, workgroupSize: 64, minChunkLength: 256 }, "filter_gemm holds filters x columns = 2048 accumulators, more than 1024"],
      [fcDataGemmKind, fcData, { kind: "fc_data_gemm", rowsPerInvocation: 16, vectorsPerInvocation: 16, workgroupSize: 64 }, "fc_data_gemm holds rowsPerInvocation x vectorsPerInvocation = 256 vec4 accumulators, more than 128"],
      [dataGemmKind, data, { kind: "data_gemm", pixels: 0, channels: 16, workgroupSize: 64 }, "data_gemm needs pixels to be an integer in 1..32, got 0"],
      [filterGemmKind, filter, { kind: "filter_gemm", filters: 8, columns: 9, workgroupSize: 64, minChunkLength: 2.5 }, "filter_gemm needs minChunkLength to be an integer in 1..1048576, got 2.5"],
      [fcWeightGemmKind, fcWeight, { kind: "fc_weight_gemm", rowsPerInvocation: 4, workgroupSize: 64 }, "fc_weight_gemm needs vectorsPerInvocation to be an integer in 1..16, got undefined"],
    ];
    for (const [definition, workload, schedule, reason] of cases) expect(definition.illegalKnobs(workload, PORTABLE_TARGET, schedule)).toBe(reason);
  });

  it("the padded input's gradient larger than one binding: data_gemm is illegal for other padding modes only", () => {
    const small = target({ maxStorageBufferBindingSize: 40000 });
    const reflect: Workload = { op: "conv_backward_data", conv: { ...conv, paddingMode: "reflect" } };
    expect(dataGemmKind.illegal(reflect, small)).toBe(`the padded input's gradient (reflect padding): ${8 * 16 * 16 * 16 * 4} bytes, more than one binding on a small test adapter holds (40000)`);
    expect(dataGemmKind.illegal(data, small)).toBeUndefined();
  });

  it("the weight gradient's partial sums larger than one binding", () => {
    const small = target({ maxStorageBufferBindingSize: 100000 });
    const schedule = filterGemmKind.defaultSchedule(filter, small);
    expect(filterGemmKind.illegalKnobs(filter, small, schedule)).toMatch(/^the weight gradient's \d+ partial sums: \d+ bytes, more than one binding on a small test adapter holds \(100000\)$/);
    // One chunk per tile: no partial sums at all.
    expect(filterGemmKind.illegalKnobs(filter, small, { ...schedule, minChunkLength: 8 * 14 * 14 })).toBeUndefined();
  });
});

describe("the backward kinds' validators", () => {
  it("refuse a schedule of another kind or with a bad knob as an internal error naming the kernel", () => {
    expect(() => dataGemmScheduleOf({ kind: "filter_gemm" }, "c1 backward data")).toThrow('internal: c1 backward data: expected a data_gemm schedule, got "filter_gemm"');
    expect(() => filterGemmScheduleOf({ kind: "filter_gemm", filters: 8, columns: 9, workgroupSize: 64 }, "c1 backward filter")).toThrow(
      "internal: c1 backward filter: filter_gemm needs minChunkLength to be an integer in 1..1048576, got undefined",
    );
    expect(() => fcDataGemmScheduleOf({ kind: "fc_data_gemm", rowsPerInvocation: "8", vectorsPerInvocation: 4, workgroupSize: 64 }, "f1")).toThrow(
      "internal: f1: fc_data_gemm needs rowsPerInvocation to be an integer in 1..32, got 8",
    );
  });
});
