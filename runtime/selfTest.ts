/// <reference types="@webgpu/types" preserve="true" />
// A minimal end-to-end check that a device really computes: compile a shader, dispatch it, read the
// result back and compare. `cnnc doctor` runs it, because an adapter that opens is not always one
// that runs compute work correctly.
import { createStorageBufferWithData, readFloat32 } from "./buffers.js";
import type { GpuContext } from "./device.js";
import { runWithErrorScope } from "./gpuErrors.js";
import { createCheckedShaderModule } from "./shaderModule.js";

const WORKGROUP_SIZE = 64;

const SELF_TEST_WGSL = `// cnnc doctor self-test: y = 2x + 1 over ${"`"}values${"`"}.
@group(0) @binding(0) var<storage, read_write> values: array<f32>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&values)) {
    values[id.x] = 2.0 * values[id.x] + 1.0;
  }
}
`;

export interface SelfTestResult {
  elements: number;
  milliseconds: number;
}

/** Runs y = 2x + 1 over `elements` floats on the GPU; throws if any result is wrong. */
export async function computeSelfTest(context: GpuContext, elements = 4096): Promise<SelfTestResult> {
  const { device } = context;
  const started = performance.now();
  const input = Float32Array.from({ length: elements }, (_, i) => i - elements / 2);
  const module = await createCheckedShaderModule(device, SELF_TEST_WGSL, "doctor.self_test");
  const buffer = createStorageBufferWithData(device, input, "doctor self-test values");
  try {
    await runWithErrorScope(device, "doctor.self_test", () => {
      const pipeline = device.createComputePipeline({
        label: "doctor.self_test",
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer } }],
      });
      const encoder = device.createCommandEncoder({ label: "doctor.self_test" });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(elements / WORKGROUP_SIZE));
      pass.end();
      device.queue.submit([encoder.finish()]);
    });
    const output = await readFloat32(device, buffer, input.byteLength);
    const wrong = output.findIndex((value, i) => value !== 2 * (input[i] ?? 0) + 1);
    if (wrong >= 0) {
      throw new Error(
        `the GPU computed a wrong result: element ${wrong} is ${output[wrong]}, expected ${2 * (input[wrong] ?? 0) + 1}`,
      );
    }
  } finally {
    buffer.destroy();
  }
  return { elements, milliseconds: performance.now() - started };
}
