import { describe, expect, it } from "vitest";
import { stateDict } from "../../src/ir/stateDict.js";
import { compileOk, net } from "../elaborate/compileHelpers.js";

describe("stateDict", () => {
  it("lists each layer's parameters, then its buffers, batchnorm's step counter last, in graph order", () => {
    const graph = compileOk(net("conv(4, 3, bias=false) as c -> batchnorm as bn -> relu -> fc(2) as head"));
    expect(stateDict(graph)).toEqual([
      { name: "c.weight", shape: [4, 3, 3, 3], kind: "parameter", read: true },
      { name: "bn.weight", shape: [4], kind: "parameter", read: true },
      { name: "bn.bias", shape: [4], kind: "parameter", read: true },
      { name: "bn.running_mean", shape: [4], kind: "buffer", read: true },
      { name: "bn.running_var", shape: [4], kind: "buffer", read: true },
      { name: "bn.num_batches_tracked", shape: [], kind: "buffer", read: false },
      { name: "head.weight", shape: [2, 4 * 6 * 6], kind: "parameter", read: true },
      { name: "head.bias", shape: [2], kind: "parameter", read: true },
    ]);
  });

  it("is empty for a network without parameters", () => {
    expect(stateDict(compileOk(net("relu -> maxpool(2)")))).toEqual([]);
  });
});
