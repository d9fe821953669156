// The shared WGSL emission helpers: literals, binding declarations, folded dispatches.
import { describe, expect, it } from "vitest";
import {
  f32Literal,
  flatInvocationPrologue,
  foldedDispatch,
  headerComment,
  kernelHeader,
  i32Literal,
  storageBindings,
  u32Constants,
  u32Literal,
} from "../../src/codegen/wgsl.js";

describe("literals", () => {
  it("writes the shortest f32 literal that reads back as the same float32", () => {
    expect(f32Literal(1)).toBe("1.0f");
    expect(f32Literal(-0.25)).toBe("-0.25f");
    expect(f32Literal(0.1)).toBe("0.1f");
    expect(f32Literal(1e-7)).toBe("1e-7f");
    expect(f32Literal(3e38)).toBe("3e+38f");
    for (const value of [0.1, 1 / 3, Math.PI, 1e-30, 12345.678]) {
      expect(Math.fround(Number(f32Literal(value).slice(0, -1)))).toBe(Math.fround(value));
    }
  });
  it("rejects values WGSL cannot hold", () => {
    expect(() => f32Literal(Infinity)).toThrow();
    expect(() => f32Literal(Number.NaN)).toThrow();
    expect(() => u32Literal(-1)).toThrow();
    expect(() => u32Literal(1.5)).toThrow();
    expect(() => i32Literal(2 ** 31)).toThrow();
    expect(u32Literal(7)).toBe("7u");
    expect(i32Literal(-3)).toBe("-3i");
  });
});

describe("declarations", () => {
  it("numbers bindings in order with their access and element type", () => {
    expect(
      storageBindings([
        { name: "input", access: "read" },
        { name: "output", access: "read_write", element: "vec4<f32>" },
      ]),
    ).toBe(
      "@group(0) @binding(0) var<storage, read> input: array<f32>;\n" +
        "@group(0) @binding(1) var<storage, read_write> output: array<vec4<f32>>;",
    );
    expect(u32Constants({ C: 3, H: 5 })).toBe("const C: u32 = 3u;\nconst H: u32 = 5u;");
    expect(headerComment("conv", { input: "[2, 3, 8, 8]", batch: 2 })).toBe("// conv\n//   input: [2, 3, 8, 8]\n//   batch: 2");
    expect(kernelHeader("relu", { epilogue: "relu" }, 64, [{ name: "x", access: "read" }, { name: "y", access: "read_write" }])).toBe(
      "// relu\n//   epilogue: relu\n//   workgroup size: 64\n//   bindings: x (read), y (read_write)",
    );
  });
});

describe("foldedDispatch", () => {
  it("uses one row of workgroups while it fits", () => {
    expect(foldedDispatch(1000, 64)).toEqual({ workgroups: [16, 1, 1], workgroupSize: 64, invocations: 1000 });
  });
  it("folds more than 65535 workgroups into a 2-D grid covering every invocation", () => {
    const dispatch = foldedDispatch(65535 * 3 + 10, 1);
    expect(dispatch.workgroups).toEqual([65535, 4, 1]);
    expect(dispatch.workgroups[0] * dispatch.workgroups[1]).toBeGreaterThanOrEqual(dispatch.invocations);
    expect(flatInvocationPrologue("main", dispatch)).toContain("let index = (workgroup.y * 65535u + workgroup.x) * 1u + local;");
    expect(flatInvocationPrologue("main", dispatch)).toContain(`if (index >= ${65535 * 3 + 10}u)`);
  });
  it("rejects workgroup sizes beyond the portable limit", () => {
    expect(() => foldedDispatch(10, 512)).toThrow(/workgroup size/);
    expect(() => foldedDispatch(0, 64)).toThrow();
  });
});
