// The library entry: compile(source) then createSession(graph).run(inputs), as README shows.
import { describe, expect, it } from "vitest";

import { compile, compileNetwork } from "../../runtime/compileNetwork.js";
import { createSession } from "../../runtime/session.js";
import { CnncUserError } from "../../src/errors.js";
import { makeTensor } from "../../src/tensor.js";
import { testGpu } from "../codegen/gpuHarness.js";

const SOURCE = `network Small {
  input x: 2x6x6
  conv(4, 3) -> relu
  global_maxpool
  fc(3) -> softmax
}
`;

describe("compile", () => {
  it("returns a shape-checked graph", () => {
    const graph = compile(SOURCE);
    expect(graph.name).toBe("Small");
    expect(graph.nodes[graph.outputs[0]!]!.shape).toEqual([3]);
  });

  it("throws a CnncUserError quoting the diagnostics", () => {
    const error = (() => {
      try {
        compile(SOURCE.replace("conv(4, 3)", "cnov(4, 3)"), { file: "small.cnn" });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CnncUserError);
    const message = (error as CnncUserError).message;
    expect(message).toContain("small.cnn does not compile");
    expect(message).toContain("small.cnn:3:3");
    expect(message).toContain("cnov");
  });

  it("returns warnings with the graph", () => {
    const { graph, warnings } = compileNetwork(SOURCE.replace("  conv(4, 3)", "  side = x -> relu\n  x -> conv(4, 3)"));
    expect(graph.name).toBe("Small");
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((warning) => warning.severity === "warning")).toBe(true);
    expect(warnings[0]!.message).toContain("side");
  });

  it("feeds a session that runs the network", async () => {
    const session = await createSession(compile(SOURCE), { seed: 2, gpu: await testGpu() });
    try {
      const outputs = await session.run({ x: makeTensor([2, 2, 6, 6], new Float32Array(144).map((_, i) => Math.cos(i))) });
      const [output] = [...outputs.values()];
      expect(output!.shape).toEqual([2, 3]);
      expect(output!.data[0]! + output!.data[1]! + output!.data[2]!).toBeCloseTo(1, 5);
    } finally {
      session.destroy();
    }
  });
});
