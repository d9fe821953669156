// fc (GEMM)
//   layers: fc1 fc (blocks.cnn:9:3)
//   input: [2, 128] (N, C*H*W flattened from [8, 4, 4])
//   weight: [10, 128] (out, in)
//   output: [2, 10]
//   computes: every output feature
//   schedule: gemm tileM=4 tileN=4 vectorWidth=1 workgroupSize=64 splitK=1 workgroupMemory=false
//   loads: vec4 along the input features
//   gemm: 1 x [10 x 128] x [128 x 2]
//   register tile: 4 rows x 2 columns
//   reduction: whole
//   epilogue: bias
//   output store: dense
//   workgroup size: 64
//   bindings: weight (read), input (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const IN_FEATURES: u32 = 128u;
const OUT_FEATURES: u32 = 10u;
const FIRST_FEATURE: u32 = 0u;
const BATCHES: u32 = 1u;
const M: u32 = 10u;
const N: u32 = 2u;
const R: u32 = 128u;
const PLANES: u32 = 1u;
const LAST_VECTOR: u32 = 0u;
const SPLIT_K: u32 = 1u;
const SPLIT_LENGTH: u32 = 128u;
const TILE_M: u32 = 4u;
const TILE_N: u32 = 2u;
const ROW_TILES: u32 = 3u;
const COLUMN_TILES: u32 = 1u;

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
  let column_tile = index % COLUMN_TILES;
  let row_tile = (index / COLUMN_TILES) % ROW_TILES;
  let batch = (index / (COLUMN_TILES * ROW_TILES)) % BATCHES;
  let split = index / (COLUMN_TILES * ROW_TILES * BATCHES);
  let m0 = row_tile * TILE_M;
  let n0 = column_tile * TILE_N;
  let r_begin = split * SPLIT_LENGTH;
  let r_end = min(R, r_begin + SPLIT_LENGTH);
  // Rows / columns past the edge are computed on clamped copies and never stored.
  let row0 = min(m0 + 0u, M - 1u) * IN_FEATURES;
  let row1 = min(m0 + 1u, M - 1u) * IN_FEATURES;
  let row2 = min(m0 + 2u, M - 1u) * IN_FEATURES;
  let row3 = min(m0 + 3u, M - 1u) * IN_FEATURES;
  let column0 = min(n0 + 0u, N - 1u) * IN_FEATURES;
  let column1 = min(n0 + 1u, N - 1u) * IN_FEATURES;
  var acc0_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc0_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_1_0: vec4<f32> = vec4<f32>(0.0f);
  var r = r_begin;
  for (; r + 4u <= r_end; r += 4u) {
    let a0_0 = weight[(row0 + r) / 4u];
    let a1_0 = weight[(row1 + r) / 4u];
    let a2_0 = weight[(row2 + r) / 4u];
    let a3_0 = weight[(row3 + r) / 4u];
    let b0_0 = input[(column0 + r) / 4u];
    let b1_0 = input[(column1 + r) / 4u];
    acc0_0_0 = fma(a0_0, b0_0, acc0_0_0);
    acc0_1_0 = fma(a0_0, b1_0, acc0_1_0);
    acc1_0_0 = fma(a1_0, b0_0, acc1_0_0);
    acc1_1_0 = fma(a1_0, b1_0, acc1_1_0);
    acc2_0_0 = fma(a2_0, b0_0, acc2_0_0);
    acc2_1_0 = fma(a2_0, b1_0, acc2_1_0);
    acc3_0_0 = fma(a3_0, b0_0, acc3_0_0);
    acc3_1_0 = fma(a3_0, b1_0, acc3_1_0);
  }
  for (; r < r_end; r++) {
    let a0_0_at = row0 + r;
    let a0_0 = weight[a0_0_at / 4u][a0_0_at % 4u];
    let a1_0_at = row1 + r;
    let a1_0 = weight[a1_0_at / 4u][a1_0_at % 4u];
    let a2_0_at = row2 + r;
    let a2_0 = weight[a2_0_at / 4u][a2_0_at % 4u];
    let a3_0_at = row3 + r;
    let a3_0 = weight[a3_0_at / 4u][a3_0_at % 4u];
    let b0_0_at = column0 + r;
    let b0_0 = input[b0_0_at / 4u][b0_0_at % 4u];
    let b1_0_at = column1 + r;
    let b1_0 = input[b1_0_at / 4u][b1_0_at % 4u];
    acc0_0_0.x = fma(a0_0, b0_0, acc0_0_0.x);
    acc0_1_0.x = fma(a0_0, b1_0, acc0_1_0.x);
    acc1_0_0.x = fma(a1_0, b0_0, acc1_0_0.x);
    acc1_1_0.x = fma(a1_0, b1_0, acc1_1_0.x);
    acc2_0_0.x = fma(a2_0, b0_0, acc2_0_0.x);
    acc2_1_0.x = fma(a2_0, b1_0, acc2_1_0.x);
    acc3_0_0.x = fma(a3_0, b0_0, acc3_0_0.x);
    acc3_1_0.x = fma(a3_0, b1_0, acc3_1_0.x);
  }
  var tile: array<f32, 8>;
  tile[0] = dot(acc0_0_0, vec4<f32>(1.0f));
  tile[1] = dot(acc0_1_0, vec4<f32>(1.0f));
  tile[2] = dot(acc1_0_0, vec4<f32>(1.0f));
  tile[3] = dot(acc1_1_0, vec4<f32>(1.0f));
  tile[4] = dot(acc2_0_0, vec4<f32>(1.0f));
  tile[5] = dot(acc2_1_0, vec4<f32>(1.0f));
  tile[6] = dot(acc3_0_0, vec4<f32>(1.0f));
  tile[7] = dot(acc3_1_0, vec4<f32>(1.0f));
  let tile_rows = min(TILE_M, M - min(m0, M)) + workgroup.z;
  let tile_columns = min(TILE_N, N - min(n0, N)) + workgroup.z;
  for (var i = 0u; i < tile_rows; i++) {
    for (var j = 0u; j < tile_columns; j++) {
      let m = m0 + i;
      let n = n0 + j;
      output[n * OUT_FEATURES + FIRST_FEATURE + m] = apply_epilogue(tile[(0u * TILE_M + i) * TILE_N + j], FIRST_FEATURE + m, n * OUT_FEATURES + FIRST_FEATURE + m);
    }
  }
}
