// fc (GEMM)
//   layers: fc1 fc (blocks.cnn:9:3)
//   input: [2, 128] (N, C*H*W flattened from [8, 4, 4])
//   weight: [10, 128] (out, in)
//   output: [2, 10]
//   computes: every output feature
//   schedule: gemm outputsPerInvocation=4 rowsPerInvocation=4 workgroupSize=64
//   register tile: 4 features x 2 samples, vec4 loads
//   epilogue: bias
//   workgroup size: 64
//   bindings: input (read), weight (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const BATCH: u32 = 2u;
const IN_FEATURES: u32 = 128u;
const OUT_FEATURES: u32 = 10u;
const FIRST_FEATURE: u32 = 0u;
const SLICE_FEATURES: u32 = 10u;
const STEPS: u32 = 32u;
const OUTPUTS_PER_INVOCATION: u32 = 4u;
const ROWS_PER_INVOCATION: u32 = 2u;
const OUTPUT_TILES: u32 = 3u;

fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {
  let stage0 = value;
  let stage1 = stage0 + bias0[channel]; // bias
  return stage1;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 3u) {
    return;
  }
  let output_tile = index % OUTPUT_TILES;
  let row_tile = index / OUTPUT_TILES;
  let o0 = output_tile * OUTPUTS_PER_INVOCATION;
  let n0 = row_tile * ROWS_PER_INVOCATION;
  // Features / samples past the edge are computed on clamped copies and never stored.
  let weight_row0 = min(o0 + 0u, SLICE_FEATURES - 1u) * STEPS;
  let weight_row1 = min(o0 + 1u, SLICE_FEATURES - 1u) * STEPS;
  let weight_row2 = min(o0 + 2u, SLICE_FEATURES - 1u) * STEPS;
  let weight_row3 = min(o0 + 3u, SLICE_FEATURES - 1u) * STEPS;
  let input_row0 = min(n0 + 0u, BATCH - 1u) * STEPS;
  let input_row1 = min(n0 + 1u, BATCH - 1u) * STEPS;
  var acc0_0 = vec4<f32>(0.0f);
  var acc0_1 = vec4<f32>(0.0f);
  var acc1_0 = vec4<f32>(0.0f);
  var acc1_1 = vec4<f32>(0.0f);
  var acc2_0 = vec4<f32>(0.0f);
  var acc2_1 = vec4<f32>(0.0f);
  var acc3_0 = vec4<f32>(0.0f);
  var acc3_1 = vec4<f32>(0.0f);
  for (var k = 0u; k < STEPS; k++) {
    let x0 = input[input_row0 + k];
    let x1 = input[input_row1 + k];
    let w0 = weight[weight_row0 + k];
    let w1 = weight[weight_row1 + k];
    let w2 = weight[weight_row2 + k];
    let w3 = weight[weight_row3 + k];
    acc0_0 = fma(w0, x0, acc0_0);
    acc0_1 = fma(w0, x1, acc0_1);
    acc1_0 = fma(w1, x0, acc1_0);
    acc1_1 = fma(w1, x1, acc1_1);
    acc2_0 = fma(w2, x0, acc2_0);
    acc2_1 = fma(w2, x1, acc2_1);
    acc3_0 = fma(w3, x0, acc3_0);
    acc3_1 = fma(w3, x1, acc3_1);
  }
  let feature0 = FIRST_FEATURE + o0;
  if (n0 + 0u < BATCH) {
    let row_start0 = (n0 + 0u) * OUT_FEATURES + feature0;
    output[row_start0 + 0u] = apply_epilogue(dot(acc0_0, vec4<f32>(1.0f)), feature0 + 0u, row_start0 + 0u);
    if (o0 + 1u < SLICE_FEATURES) {
      output[row_start0 + 1u] = apply_epilogue(dot(acc1_0, vec4<f32>(1.0f)), feature0 + 1u, row_start0 + 1u);
    }
    if (o0 + 2u < SLICE_FEATURES) {
      output[row_start0 + 2u] = apply_epilogue(dot(acc2_0, vec4<f32>(1.0f)), feature0 + 2u, row_start0 + 2u);
    }
    if (o0 + 3u < SLICE_FEATURES) {
      output[row_start0 + 3u] = apply_epilogue(dot(acc3_0, vec4<f32>(1.0f)), feature0 + 3u, row_start0 + 3u);
    }
  }
  if (n0 + 1u < BATCH) {
    let row_start1 = (n0 + 1u) * OUT_FEATURES + feature0;
    output[row_start1 + 0u] = apply_epilogue(dot(acc0_1, vec4<f32>(1.0f)), feature0 + 0u, row_start1 + 0u);
    if (o0 + 1u < SLICE_FEATURES) {
      output[row_start1 + 1u] = apply_epilogue(dot(acc1_1, vec4<f32>(1.0f)), feature0 + 1u, row_start1 + 1u);
    }
    if (o0 + 2u < SLICE_FEATURES) {
      output[row_start1 + 2u] = apply_epilogue(dot(acc2_1, vec4<f32>(1.0f)), feature0 + 2u, row_start1 + 2u);
    }
    if (o0 + 3u < SLICE_FEATURES) {
      output[row_start1 + 3u] = apply_epilogue(dot(acc3_1, vec4<f32>(1.0f)), feature0 + 3u, row_start1 + 3u);
    }
  }
}
