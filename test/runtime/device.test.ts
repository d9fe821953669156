import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createCheckedShaderModule,
  DUMP_KERNELS_ENV,
  limitsLoopIterations,
  openDevice,
  parseBackend,
  runWithErrorScope,
  type BackendChoice,
  type GpuContext,
} from "../../runtime/device.js";
import { createStorageBuffer, createStorageBufferWithData, readFloat32, StagingBuffer } from "../../runtime/buffers.js";
import { runSubmissionWithErrorScope } from "../../runtime/gpuErrors.js";
import { findHardwareVulkanIcds } from "../../runtime/vulkanIcd.js";
import { CnncUserError } from "../../src/errors.js";

const ADD_ONE = `
@group(0) @binding(0) var<storage, read_write> values: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&values)) {
    values[id.x] = values[id.x] + 1.0;
  }
}
`;

async function addOne(context: GpuContext, input: Float32Array): Promise<Float32Array> {
  const { device } = context;
  const module = await createCheckedShaderModule(device, ADD_ONE, "test.add_one");
  const buffer = createStorageBufferWithData(device, input, "values");
  await runWithErrorScope(device, "test.add_one", () => {
    const pipeline = device.createComputePipeline({ label: "test.add_one", layout: "auto", compute: { module, entryPoint: "main" } });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer } }],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(input.length / 64));
    pass.end();
    device.queue.submit([encoder.finish()]);
  });
  const result = await readFloat32(device, buffer, input.byteLength);
  buffer.destroy();
  return result;
}

describe("limitsLoopIterations", () => {
  const details = (device: string, description = "", vendor = "") => ({ vendor, architecture: "", device, description, isFallbackAdapter: false });

  it("is true for Mesa's llvmpipe (OpenGL ES) and lavapipe (Vulkan), false for hardware", () => {
    expect(limitsLoopIterations(details("llvmpipe-llvm-15-0-6-256-bits-", "OpenGL version OpenGL ES 3.2 Mesa 22.3.6", "mesa"))).toBe(true);
    expect(limitsLoopIterations(details("llvmpipe (LLVM 15.0.6, 256 bits)", "Vulkan driver version: Mesa 22.3.6 (lavapipe)"))).toBe(true);
    expect(limitsLoopIterations(details("NVIDIA GeForce RTX 3080", "NVIDIA 535.54", "nvidia"))).toBe(false);
    expect(limitsLoopIterations(details("AMD Radeon RX 6800 (RADV NAVI21)", "Mesa 23.1", "amd"))).toBe(false);
  });
});

describe("openDevice", () => {
  let context: GpuContext;
  beforeAll(async () => {
    context = await openDevice();
  });
  afterAll(() => context.destroy());

  it("reports the adapter it picked and requests the adapter's limits", () => {
    expect(["vulkan", "opengles"]).toContain(context.backend);
    expect(context.featureLevel).toBe(context.backend === "vulkan" ? "core" : "compatibility");
    expect(context.description).toMatch(/^(Vulkan|OpenGL ES) on .+, (core|compatibility) mode$/);
    expect(context.limits.maxStorageBuffersPerShaderStage).toBe(context.adapter.limits.maxStorageBuffersPerShaderStage);
    // Compatibility mode's default is 4; kernels with weights, bias and scratch need more.
    expect(context.device.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    expect(context.device.limits.maxComputeInvocationsPerWorkgroup).toBe(context.limits.maxComputeInvocationsPerWorkgroup);
  });

  it("runs a compute shader and reads the result back", async () => {
    const input = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const output = await addOne(context, input);
    expect(Array.from(output)).toEqual(Array.from(input, (value) => value + 1));
  });

  it("opens a second device in the same process", async () => {
    const second = await openDevice({ backend: context.backend });
    try {
      const output = await addOne(second, Float32Array.from([1, 2, 3]));
      expect(Array.from(output)).toEqual([2, 3, 4]);
    } finally {
      second.destroy();
    }
  });

  it("rejects a shader with an error, listing line:col and the message", async () => {
    const code = ADD_ONE.replace("values[id.x] + 1.0", "values[id.x] + undefinedName");
    await expect(createCheckedShaderModule(context.device, code, "test.bad")).rejects.toThrow(
      /kernel test\.bad: WGSL compilation reported 1 error and 0 warnings[\s\S]*test\.bad\.wgsl:7:\d+ error: .*undefinedName/,
    );
  });

  it("rejects a shader that compiles with a warning", async () => {
    const code = ADD_ONE.replace("values[id.x] = values[id.x] + 1.0;", "return;\n    values[id.x] = 0.0;");
    await expect(createCheckedShaderModule(context.device, code, "test.warns")).rejects.toThrow(
      /0 errors and 1 warning[\s\S]*test\.warns\.wgsl:8:\d+ warning: code is unreachable/,
    );
  });

  it("writes each compiled shader to CNNC_DUMP_KERNELS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cnnc-kernels-"));
    process.env[DUMP_KERNELS_ENV] = dir;
    try {
      await createCheckedShaderModule(context.device, ADD_ONE, "layer1.0/add_one");
      expect(readFileSync(join(dir, "layer1.0_add_one.wgsl"), "utf8")).toBe(ADD_ONE);
    } finally {
      delete process.env[DUMP_KERNELS_ENV];
      rmSync(dir, { recursive: true });
    }
  });

  it("turns a validation error into an error naming the kernel", async () => {
    const { device } = context;
    await expect(
      runWithErrorScope(device, "c1.conv_direct", () => {
        device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      }),
    ).rejects.toThrow(/validation error in c1\.conv_direct .*MapRead/);
    // The scopes were popped: later work is unaffected.
    await expect(runWithErrorScope(device, "next", () => 42)).resolves.toBe(42);
  });

  it("pops a submission's scopes as it is submitted, still catching its errors and awaiting its read-back", async () => {
    const { device } = context;
    const source = createStorageBufferWithData(device, Float32Array.from([1, 2, 3]), "values");
    const staging = new StagingBuffer(device, 12, "values (read-back)");
    const ranges = [{ source, bytes: 12 }];
    try {
      const [values] = await runSubmissionWithErrorScope(device, "fc1.gemm", () => {
        const encoder = device.createCommandEncoder();
        staging.recordCopies(encoder, ranges);
        device.queue.submit([encoder.finish()]);
        return staging.read(ranges);
      });
      expect(Array.from(values!)).toEqual([1, 2, 3]);
      const noCopySource = device.createBuffer({ label: "no COPY_SRC", size: 12, usage: GPUBufferUsage.STORAGE });
      await expect(
        runSubmissionWithErrorScope(device, "fc1.gemm", () => {
          const encoder = device.createCommandEncoder();
          encoder.copyBufferToBuffer(noCopySource, 0, source, 0, 12);
          device.queue.submit([encoder.finish()]);
          return Promise.resolve();
        }),
      ).rejects.toThrow(/validation error in fc1\.gemm .*CopySrc/);
      const broken = (): Promise<void> => {
        throw new Error("fc2.gemm broke");
      };
      await expect(runSubmissionWithErrorScope(device, "fc2.gemm", broken)).rejects.toThrow("fc2.gemm broke");
      // The scopes were popped every time: later work is unaffected.
      await expect(runWithErrorScope(device, "next", () => 3)).resolves.toBe(3);
    } finally {
      staging.destroy();
      source.destroy();
    }
  });

  it("reports errors raised outside any error scope at the next scoped call", async () => {
    const { device } = context;
    device.createBuffer({ label: "stray", size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await expect(runWithErrorScope(device, "pool2.max", () => 1)).rejects.toThrow(
      /errors outside an error scope \(noticed after pool2\.max\):\n {2}validation error: [\s\S]*"stray"/,
    );
    await expect(runWithErrorScope(device, "next", () => 2)).resolves.toBe(2);
  });

  it("rejects a tensor larger than one storage buffer, naming it and suggesting a smaller batch", () => {
    const tooBig = context.device.limits.maxStorageBufferBindingSize + 4;
    let caught: unknown;
    try {
      createStorageBuffer(context.device, tooBig, "conv3 output");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CnncUserError);
    const error = caught as CnncUserError;
    expect(error.message).toMatch(/tensor conv3 output needs .* more than this GPU allows .*maxStorageBufferBindingSize = /);
    expect(error.hint).toMatch(/smaller --batch/);
  });

  it("fails work on a destroyed device with a clear error instead of hanging", async () => {
    const doomed = await openDevice({ backend: context.backend });
    doomed.destroy();
    await expect(runWithErrorScope(doomed.device, "fc1.gemm", () => 1)).rejects.toThrow(/fc1\.gemm: the GPU device was closed/);
  });
});

describe("backend selection", () => {
  it("rejects an unknown backend, naming the valid ones", async () => {
    // A JavaScript caller is not held to the BackendChoice type: the name is checked at run time too.
    await expect(openDevice({ backend: "metal" as BackendChoice })).rejects.toThrow(CnncUserError);
    expect(() => parseBackend("vulcan")).toThrow(/unknown backend `vulcan`/);
    try {
      parseBackend("vulcan");
    } catch (error) {
      expect((error as CnncUserError).hint).toBe("did you mean `vulkan`? valid backends are `auto`, `vulkan`, `opengles`");
    }
  });

  it.runIf(findHardwareVulkanIcds().length === 0)("explains what to install when Vulkan is asked for but absent", async () => {
    const failure = openDevice({ backend: "vulkan" });
    await expect(failure).rejects.toThrow(/no Vulkan adapter with core WebGPU features was found/);
    await expect(failure).rejects.toHaveProperty("hint", expect.stringMatching(/libvulkan1.*--backend opengles/));
  });
});
