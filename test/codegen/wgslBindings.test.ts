// Reading a kernel's storage declarations back from its WGSL, as the plan loader checks steps against them.
import { describe, expect, it } from "vitest";

import { storageBindings } from "../../src/codegen/wgsl.js";
import { wgslDefinesFunction, wgslStorageBindings } from "../../src/codegen/wgslBindings.js";

describe("wgslStorageBindings", () => {
  it("reads back what storageBindings writes, in binding order", () => {
    const specs = [
      { name: "input", access: "read" as const },
      { name: "weight", access: "read" as const, element: "vec4<f32>" as const },
      { name: "output", access: "read_write" as const },
    ];
    const wgsl = `// header\n${storageBindings(specs)}\nvar<workgroup> partial: array<f32, 64>;\n@compute @workgroup_size(64) fn main() {}`;
    expect(wgslStorageBindings(wgsl)).toEqual({
      bindings: [
        { binding: 0, name: "input", access: "read" },
        { binding: 1, name: "weight", access: "read" },
        { binding: 2, name: "output", access: "read_write" },
      ],
    });
  });

  it("takes WGSL's default access (read) and sorts declarations by binding", () => {
    const wgsl = "@group(0) @binding(1) var<storage, read_write> y: array<f32>;\n@group(0) @binding(0) var<storage> x: array<f32>;";
    expect(wgslStorageBindings(wgsl)).toEqual({ bindings: [{ binding: 0, name: "x", access: "read" }, { binding: 1, name: "y", access: "read_write" }] });
  });

  it("names gaps and other groups as problems", () => {
    expect(wgslStorageBindings("@group(0) @binding(0) var<storage, read> x: array<f32>;\n@group(0) @binding(2) var<storage, read_write> y: array<f32>;")).toEqual({
      problem: "its storage bindings are numbered 0, 2, not 0 to 1",
    });
    expect(wgslStorageBindings("@group(1) @binding(0) var<storage, read> x: array<f32>;")).toEqual({
      problem: "it declares a binding in group 1; cnnc kernels use group 0 only",
    });
  });

  it("finds the entry point function", () => {
    expect(wgslDefinesFunction("@compute @workgroup_size(1)\nfn main(@builtin(global_invocation_id) id: vec3<u32>) {}", "main")).toBe(true);
    expect(wgslDefinesFunction("fn mainly() {}", "main")).toBe(false);
    expect(wgslDefinesFunction("fn main() {}", "ma.in")).toBe(false);
  });
});
