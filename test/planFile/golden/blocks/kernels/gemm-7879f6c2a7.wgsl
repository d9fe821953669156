// 1x1 conv as a GEMM
//   layers: right.conv conv (blocks.cnn:7:52) + right.relu relu (7:66)
//   input: [2, 8, 8, 8] (N, C, H, W)
//   weight: [4, 8, 1, 1] (K, C/groups, KH, KW)
//   output: [2, 4, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 0 bottom 0 left 0 right 0, zeros
//   schedule: gemm tileM=4 tileN=16 vectorWidth=4 workgroupSize=64 splitK=1 workgroupMemory=false
//   gemm: 1 x [4 x 8] x [8 x 128]
//   register tile: 4 rows x 16 columns (vec4 along columns)
//   reduction: whole
//   epilogue: bias -> relu
//   output store: channels 4..7 of [2, 8, 8, 8]
//   workgroup size: 64
//   bindings: weight (read), input (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const C: u32 = 8u;
const H: u32 = 8u;
const W: u32 = 8u;
const K: u32 = 4u;
const OH: u32 = 8u;
const OW: u32 = 8u;
const KH: u32 = 1u;
const KW: u32 = 1u;
const CHANNELS_PER_GROUP: u32 = 8u;
const BATCHES: u32 = 1u;
const M: u32 = 4u;
const N: u32 = 128u;
const R: u32 = 8u;
const PLANES: u32 = 1u;
const LAST_VECTOR: u32 = 124u;
const SPLIT_K: u32 = 1u;
const SPLIT_LENGTH: u32 = 8u;
const TILE_M: u32 = 4u;
const TILE_N: u32 = 16u;
const ROW_TILES: u32 = 1u;
const COLUMN_TILES: u32 = 8u;

const SLICE_SAMPLE: u32 = 256u;
const STORE_SAMPLE: u32 = 512u;
const SLICE_OFFSET: u32 = 256u;

// Channel-slice store: sample n's SLICE_SAMPLE dense values land at n * STORE_SAMPLE + SLICE_OFFSET.
fn output_index(dense_index: u32) -> u32 {
  return (dense_index / SLICE_SAMPLE) * STORE_SAMPLE + SLICE_OFFSET + dense_index % SLICE_SAMPLE;
}

fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {
  let stage0 = value;
  let stage1 = stage0 + bias0[channel]; // bias
  let stage2 = select(max(stage1, 0.0f), stage1, ((bitcast<u32>(stage1) & 0x7fffffffu) > 0x7f800000u)); // relu
  return stage2;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 8u) {
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
  let row0 = (batch * M + min(m0 + 0u, M - 1u)) * R;
  let row1 = (batch * M + min(m0 + 1u, M - 1u)) * R;
  let row2 = (batch * M + min(m0 + 2u, M - 1u)) * R;
  let row3 = (batch * M + min(m0 + 3u, M - 1u)) * R;
  let column0_0 = (min(n0 + 0u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 0u, N - 1u) % (OH * OW);
  let column0_1 = (min(n0 + 1u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 1u, N - 1u) % (OH * OW);
  let column0_2 = (min(n0 + 2u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 2u, N - 1u) % (OH * OW);
  let column0_3 = (min(n0 + 3u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 3u, N - 1u) % (OH * OW);
  let column1_0 = (min(n0 + 4u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 4u, N - 1u) % (OH * OW);
  let column1_1 = (min(n0 + 5u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 5u, N - 1u) % (OH * OW);
  let column1_2 = (min(n0 + 6u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 6u, N - 1u) % (OH * OW);
  let column1_3 = (min(n0 + 7u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 7u, N - 1u) % (OH * OW);
  let column2_0 = (min(n0 + 8u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 8u, N - 1u) % (OH * OW);
  let column2_1 = (min(n0 + 9u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 9u, N - 1u) % (OH * OW);
  let column2_2 = (min(n0 + 10u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 10u, N - 1u) % (OH * OW);
  let column2_3 = (min(n0 + 11u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 11u, N - 1u) % (OH * OW);
  let column3_0 = (min(n0 + 12u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 12u, N - 1u) % (OH * OW);
  let column3_1 = (min(n0 + 13u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 13u, N - 1u) % (OH * OW);
  let column3_2 = (min(n0 + 14u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 14u, N - 1u) % (OH * OW);
  let column3_3 = (min(n0 + 15u, N - 1u) / (OH * OW)) * C * OH * OW + min(n0 + 15u, N - 1u) % (OH * OW);
  var acc0_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc0_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc0_2_0: vec4<f32> = vec4<f32>(0.0f);
  var acc0_3_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_2_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_3_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_2_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_3_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_2_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_3_0: vec4<f32> = vec4<f32>(0.0f);
  var r = r_begin;
  for (; r + 4u <= r_end; r += 4u) {
    let a0_0 = weight[(row0 + r) / 4u];
    let a1_0 = weight[(row1 + r) / 4u];
    let a2_0 = weight[(row2 + r) / 4u];
    let a3_0 = weight[(row3 + r) / 4u];
    let b0s0l0_0 = input[column0_0 + r * OH * OW];
    let b0s0l1_0 = input[column0_1 + r * OH * OW];
    let b0s0l2_0 = input[column0_2 + r * OH * OW];
    let b0s0l3_0 = input[column0_3 + r * OH * OW];
    let b0s0_0 = vec4<f32>(b0s0l0_0, b0s0l1_0, b0s0l2_0, b0s0l3_0);
    let b1s0l0_0 = input[column1_0 + r * OH * OW];
    let b1s0l1_0 = input[column1_1 + r * OH * OW];
    let b1s0l2_0 = input[column1_2 + r * OH * OW];
    let b1s0l3_0 = input[column1_3 + r * OH * OW];
    let b1s0_0 = vec4<f32>(b1s0l0_0, b1s0l1_0, b1s0l2_0, b1s0l3_0);
    let b2s0l0_0 = input[column2_0 + r * OH * OW];
    let b2s0l1_0 = input[column2_1 + r * OH * OW];
    let b2s0l2_0 = input[column2_2 + r * OH * OW];
    let b2s0l3_0 = input[column2_3 + r * OH * OW];
    let b2s0_0 = vec4<f32>(b2s0l0_0, b2s0l1_0, b2s0l2_0, b2s0l3_0);
    let b3s0l0_0 = input[column3_0 + r * OH * OW];
    let b3s0l1_0 = input[column3_1 + r * OH * OW];
    let b3s0l2_0 = input[column3_2 + r * OH * OW];
    let b3s0l3_0 = input[column3_3 + r * OH * OW];
    let b3s0_0 = vec4<f32>(b3s0l0_0, b3s0l1_0, b3s0l2_0, b3s0l3_0);
    let b0s1l0_0 = input[column0_0 + (r + 1u) * OH * OW];
    let b0s1l1_0 = input[column0_1 + (r + 1u) * OH * OW];
    let b0s1l2_0 = input[column0_2 + (r + 1u) * OH * OW];
    let b0s1l3_0 = input[column0_3 + (r + 1u) * OH * OW];
    let b0s1_0 = vec4<f32>(b0s1l0_0, b0s1l1_0, b0s1l2_0, b0s1l3_0);
    let b1s1l0_0 = input[column1_0 + (r + 1u) * OH * OW];
    let b1s1l1_0 = input[column1_1 + (r + 1u) * OH * OW];
    let b1s1l2_0 = input[column1_2 + (r + 1u) * OH * OW];
    let b1s1l3_0 = input[column1_3 + (r + 1u) * OH * OW];
    let b1s1_0 = vec4<f32>(b1s1l0_0, b1s1l1_0, b1s1l2_0, b1s1l3_0);
    let b2s1l0_0 = input[column2_0 + (r + 1u) * OH * OW];
    let b2s1l1_0 = input[column2_1 + (r + 1u) * OH * OW];
    let b2s1l2_0 = input[column2_2 + (r + 1u) * OH * OW];
    let b2s1l3_0 = input[column2_3 + (r + 1u) * OH * OW];
    let b2s1_0 = vec4<f32>(b2s1l0_0, b2s1l1_0, b2s1l2_0, b2s1l3_0);
    let b3s1l0_0 = input[column3_0 + (r + 1u) * OH * OW];
    let b3s1l1_0 = input[column3_1 + (r + 1u) * OH * OW];
    let b3s1l2_0 = input[column3_2 + (r + 1u) * OH * OW];
    let b3s1l3_0 = input[column3_3 + (r + 1u) * OH * OW];
    let b3s1_0 = vec4<f32>(b3s1l0_0, b3s1l1_0, b3s1l2_0, b3s1l3_0);
    let b0s2l0_0 = input[column0_0 + (r + 2u) * OH * OW];
    let b0s2l1_0 = input[column0_1 + (r + 2u) * OH * OW];
    let b0s2l2_0 = input[column0_2 + (r + 2u) * OH * OW];
    let b0s2l3_0 = input[column0_3 + (r + 2u) * OH * OW];
    let b0s2_0 = vec4<f32>(b0s2l0_0, b0s2l1_0, b0s2l2_0, b0s2l3_0);
    let b1s2l0_0 = input[column1_0 + (r + 2u) * OH * OW];
    let b1s2l1_0 = input[column1_1 + (r + 2u) * OH * OW];
    let b1s2l2_0 = input[column1_2 + (r + 2u) * OH * OW];
    let b1s2l3_0 = input[column1_3 + (r + 2u) * OH * OW];
    let b1s2_0 = vec4<f32>(b1s2l0_0, b1s2l1_0, b1s2l2_0, b1s2l3_0);
    let b2s2l0_0 = input[column2_0 + (r + 2u) * OH * OW];
    let b2s2l1_0 = input[column2_1 + (r + 2u) * OH * OW];
    let b2s2l2_0 = input[column2_2 + (r + 2u) * OH * OW];
    let b2s2l3_0 = input[column2_3 + (r + 2u) * OH * OW];
    let b2s2_0 = vec4<f32>(b2s2l0_0, b2s2l1_0, b2s2l2_0, b2s2l3_0);
    let b3s2l0_0 = input[column3_0 + (r + 2u) * OH * OW];
    let b3s2l1_0 = input[column3_1 + (r + 2u) * OH * OW];
    let b3s2l2_0 = input[column3_2 + (r + 2u) * OH * OW];
    let b3s2l3_0 = input[column3_3 + (r + 2u) * OH * OW];
    let b3s2_0 = vec4<f32>(b3s2l0_0, b3s2l1_0, b3s2l2_0, b3s2l3_0);
    let b0s3l0_0 = input[column0_0 + (r + 3u) * OH * OW];
    let b0s3l1_0 = input[column0_1 + (r + 3u) * OH * OW];
    let b0s3l2_0 = input[column0_2 + (r + 3u) * OH * OW];
    let b0s3l3_0 = input[column0_3 + (r + 3u) * OH * OW];
    let b0s3_0 = vec4<f32>(b0s3l0_0, b0s3l1_0, b0s3l2_0, b0s3l3_0);
    let b1s3l0_0 = input[column1_0 + (r + 3u) * OH * OW];
    let b1s3l1_0 = input[column1_1 + (r + 3u) * OH * OW];
    let b1s3l2_0 = input[column1_2 + (r + 3u) * OH * OW];
    let b1s3l3_0 = input[column1_3 + (r + 3u) * OH * OW];
    let b1s3_0 = vec4<f32>(b1s3l0_0, b1s3l1_0, b1s3l2_0, b1s3l3_0);
    let b2s3l0_0 = input[column2_0 + (r + 3u) * OH * OW];
    let b2s3l1_0 = input[column2_1 + (r + 3u) * OH * OW];
    let b2s3l2_0 = input[column2_2 + (r + 3u) * OH * OW];
    let b2s3l3_0 = input[column2_3 + (r + 3u) * OH * OW];
    let b2s3_0 = vec4<f32>(b2s3l0_0, b2s3l1_0, b2s3l2_0, b2s3l3_0);
    let b3s3l0_0 = input[column3_0 + (r + 3u) * OH * OW];
    let b3s3l1_0 = input[column3_1 + (r + 3u) * OH * OW];
    let b3s3l2_0 = input[column3_2 + (r + 3u) * OH * OW];
    let b3s3l3_0 = input[column3_3 + (r + 3u) * OH * OW];
    let b3s3_0 = vec4<f32>(b3s3l0_0, b3s3l1_0, b3s3l2_0, b3s3l3_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.x), b0s0_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.x), b1s0_0, acc0_1_0);
    acc0_2_0 = fma(vec4<f32>(a0_0.x), b2s0_0, acc0_2_0);
    acc0_3_0 = fma(vec4<f32>(a0_0.x), b3s0_0, acc0_3_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.x), b0s0_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.x), b1s0_0, acc1_1_0);
    acc1_2_0 = fma(vec4<f32>(a1_0.x), b2s0_0, acc1_2_0);
    acc1_3_0 = fma(vec4<f32>(a1_0.x), b3s0_0, acc1_3_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.x), b0s0_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.x), b1s0_0, acc2_1_0);
    acc2_2_0 = fma(vec4<f32>(a2_0.x), b2s0_0, acc2_2_0);
    acc2_3_0 = fma(vec4<f32>(a2_0.x), b3s0_0, acc2_3_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.x), b0s0_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.x), b1s0_0, acc3_1_0);
    acc3_2_0 = fma(vec4<f32>(a3_0.x), b2s0_0, acc3_2_0);
    acc3_3_0 = fma(vec4<f32>(a3_0.x), b3s0_0, acc3_3_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.y), b0s1_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.y), b1s1_0, acc0_1_0);
    acc0_2_0 = fma(vec4<f32>(a0_0.y), b2s1_0, acc0_2_0);
    acc0_3_0 = fma(vec4<f32>(a0_0.y), b3s1_0, acc0_3_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.y), b0s1_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.y), b1s1_0, acc1_1_0);
    acc1_2_0 = fma(vec4<f32>(a1_0.y), b2s1_0, acc1_2_0);
    acc1_3_0 = fma(vec4<f32>(a1_0.y), b3s1_0, acc1_3_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.y), b0s1_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.y), b1s1_0, acc2_1_0);
    acc2_2_0 = fma(vec4<f32>(a2_0.y), b2s1_0, acc2_2_0);
    acc2_3_0 = fma(vec4<f32>(a2_0.y), b3s1_0, acc2_3_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.y), b0s1_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.y), b1s1_0, acc3_1_0);
    acc3_2_0 = fma(vec4<f32>(a3_0.y), b2s1_0, acc3_2_0);
    acc3_3_0 = fma(vec4<f32>(a3_0.y), b3s1_0, acc3_3_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.z), b0s2_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.z), b1s2_0, acc0_1_0);
    acc0_2_0 = fma(vec4<f32>(a0_0.z), b2s2_0, acc0_2_0);
    acc0_3_0 = fma(vec4<f32>(a0_0.z), b3s2_0, acc0_3_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.z), b0s2_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.z), b1s2_0, acc1_1_0);
    acc1_2_0 = fma(vec4<f32>(a1_0.z), b2s2_0, acc1_2_0);
    acc1_3_0 = fma(vec4<f32>(a1_0.z), b3s2_0, acc1_3_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.z), b0s2_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.z), b1s2_0, acc2_1_0);
    acc2_2_0 = fma(vec4<f32>(a2_0.z), b2s2_0, acc2_2_0);
    acc2_3_0 = fma(vec4<f32>(a2_0.z), b3s2_0, acc2_3_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.z), b0s2_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.z), b1s2_0, acc3_1_0);
    acc3_2_0 = fma(vec4<f32>(a3_0.z), b2s2_0, acc3_2_0);
    acc3_3_0 = fma(vec4<f32>(a3_0.z), b3s2_0, acc3_3_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.w), b0s3_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.w), b1s3_0, acc0_1_0);
    acc0_2_0 = fma(vec4<f32>(a0_0.w), b2s3_0, acc0_2_0);
    acc0_3_0 = fma(vec4<f32>(a0_0.w), b3s3_0, acc0_3_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.w), b0s3_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.w), b1s3_0, acc1_1_0);
    acc1_2_0 = fma(vec4<f32>(a1_0.w), b2s3_0, acc1_2_0);
    acc1_3_0 = fma(vec4<f32>(a1_0.w), b3s3_0, acc1_3_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.w), b0s3_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.w), b1s3_0, acc2_1_0);
    acc2_2_0 = fma(vec4<f32>(a2_0.w), b2s3_0, acc2_2_0);
    acc2_3_0 = fma(vec4<f32>(a2_0.w), b3s3_0, acc2_3_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.w), b0s3_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.w), b1s3_0, acc3_1_0);
    acc3_2_0 = fma(vec4<f32>(a3_0.w), b2s3_0, acc3_2_0);
    acc3_3_0 = fma(vec4<f32>(a3_0.w), b3s3_0, acc3_3_0);
  }
  for (; r < r_end; r++) {
    let a0s0_0_at = row0 + r;
    let a0s0_0 = weight[a0s0_0_at / 4u][a0s0_0_at % 4u];
    let a1s0_0_at = row1 + r;
    let a1s0_0 = weight[a1s0_0_at / 4u][a1s0_0_at % 4u];
    let a2s0_0_at = row2 + r;
    let a2s0_0 = weight[a2s0_0_at / 4u][a2s0_0_at % 4u];
    let a3s0_0_at = row3 + r;
    let a3s0_0 = weight[a3s0_0_at / 4u][a3s0_0_at % 4u];
    let b0s0l0_0 = input[column0_0 + r * OH * OW];
    let b0s0l1_0 = input[column0_1 + r * OH * OW];
    let b0s0l2_0 = input[column0_2 + r * OH * OW];
    let b0s0l3_0 = input[column0_3 + r * OH * OW];
    let b0s0_0 = vec4<f32>(b0s0l0_0, b0s0l1_0, b0s0l2_0, b0s0l3_0);
    let b1s0l0_0 = input[column1_0 + r * OH * OW];
    let b1s0l1_0 = input[column1_1 + r * OH * OW];
    let b1s0l2_0 = input[column1_2 + r * OH * OW];
    let b1s0l3_0 = input[column1_3 + r * OH * OW];
    let b1s0_0 = vec4<f32>(b1s0l0_0, b1s0l1_0, b1s0l2_0, b1s0l3_0);
    let b2s0l0_0 = input[column2_0 + r * OH * OW];
    let b2s0l1_0 = input[column2_1 + r * OH * OW];
    let b2s0l2_0 = input[column2_2 + r * OH * OW];
    let b2s0l3_0 = input[column2_3 + r * OH * OW];
    let b2s0_0 = vec4<f32>(b2s0l0_0, b2s0l1_0, b2s0l2_0, b2s0l3_0);
    let b3s0l0_0 = input[column3_0 + r * OH * OW];
    let b3s0l1_0 = input[column3_1 + r * OH * OW];
    let b3s0l2_0 = input[column3_2 + r * OH * OW];
    let b3s0l3_0 = input[column3_3 + r * OH * OW];
    let b3s0_0 = vec4<f32>(b3s0l0_0, b3s0l1_0, b3s0l2_0, b3s0l3_0);
    acc0_0_0 = fma(vec4<f32>(a0s0_0), b0s0_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0s0_0), b1s0_0, acc0_1_0);
    acc0_2_0 = fma(vec4<f32>(a0s0_0), b2s0_0, acc0_2_0);
    acc0_3_0 = fma(vec4<f32>(a0s0_0), b3s0_0, acc0_3_0);
    acc1_0_0 = fma(vec4<f32>(a1s0_0), b0s0_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1s0_0), b1s0_0, acc1_1_0);
    acc1_2_0 = fma(vec4<f32>(a1s0_0), b2s0_0, acc1_2_0);
    acc1_3_0 = fma(vec4<f32>(a1s0_0), b3s0_0, acc1_3_0);
    acc2_0_0 = fma(vec4<f32>(a2s0_0), b0s0_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2s0_0), b1s0_0, acc2_1_0);
    acc2_2_0 = fma(vec4<f32>(a2s0_0), b2s0_0, acc2_2_0);
    acc2_3_0 = fma(vec4<f32>(a2s0_0), b3s0_0, acc2_3_0);
    acc3_0_0 = fma(vec4<f32>(a3s0_0), b0s0_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3s0_0), b1s0_0, acc3_1_0);
    acc3_2_0 = fma(vec4<f32>(a3s0_0), b2s0_0, acc3_2_0);
    acc3_3_0 = fma(vec4<f32>(a3s0_0), b3s0_0, acc3_3_0);
  }
  var tile: array<f32, 64>;
  tile[0] = acc0_0_0.x;
  tile[1] = acc0_0_0.y;
  tile[2] = acc0_0_0.z;
  tile[3] = acc0_0_0.w;
  tile[4] = acc0_1_0.x;
  tile[5] = acc0_1_0.y;
  tile[6] = acc0_1_0.z;
  tile[7] = acc0_1_0.w;
  tile[8] = acc0_2_0.x;
  tile[9] = acc0_2_0.y;
  tile[10] = acc0_2_0.z;
  tile[11] = acc0_2_0.w;
  tile[12] = acc0_3_0.x;
  tile[13] = acc0_3_0.y;
  tile[14] = acc0_3_0.z;
  tile[15] = acc0_3_0.w;
  tile[16] = acc1_0_0.x;
  tile[17] = acc1_0_0.y;
  tile[18] = acc1_0_0.z;
  tile[19] = acc1_0_0.w;
  tile[20] = acc1_1_0.x;
  tile[21] = acc1_1_0.y;
  tile[22] = acc1_1_0.z;
  tile[23] = acc1_1_0.w;
  tile[24] = acc1_2_0.x;
  tile[25] = acc1_2_0.y;
  tile[26] = acc1_2_0.z;
  tile[27] = acc1_2_0.w;
  tile[28] = acc1_3_0.x;
  tile[29] = acc1_3_0.y;
  tile[30] = acc1_3_0.z;
  tile[31] = acc1_3_0.w;
  tile[32] = acc2_0_0.x;
  tile[33] = acc2_0_0.y;
  tile[34] = acc2_0_0.z;
  tile[35] = acc2_0_0.w;
  tile[36] = acc2_1_0.x;
  tile[37] = acc2_1_0.y;
  tile[38] = acc2_1_0.z;
  tile[39] = acc2_1_0.w;
  tile[40] = acc2_2_0.x;
  tile[41] = acc2_2_0.y;
  tile[42] = acc2_2_0.z;
  tile[43] = acc2_2_0.w;
  tile[44] = acc2_3_0.x;
  tile[45] = acc2_3_0.y;
  tile[46] = acc2_3_0.z;
  tile[47] = acc2_3_0.w;
  tile[48] = acc3_0_0.x;
  tile[49] = acc3_0_0.y;
  tile[50] = acc3_0_0.z;
  tile[51] = acc3_0_0.w;
  tile[52] = acc3_1_0.x;
  tile[53] = acc3_1_0.y;
  tile[54] = acc3_1_0.z;
  tile[55] = acc3_1_0.w;
  tile[56] = acc3_2_0.x;
  tile[57] = acc3_2_0.y;
  tile[58] = acc3_2_0.z;
  tile[59] = acc3_2_0.w;
  tile[60] = acc3_3_0.x;
  tile[61] = acc3_3_0.y;
  tile[62] = acc3_3_0.z;
  tile[63] = acc3_3_0.w;
  let tile_rows = min(TILE_M, M - min(m0, M)) + workgroup.z;
  let tile_columns = min(TILE_N, N - min(n0, N)) + workgroup.z;
  for (var i = 0u; i < tile_rows; i++) {
    for (var j = 0u; j < tile_columns; j++) {
      let m = m0 + i;
      let n = n0 + j;
      let channel = batch * M + m;
      let column = n;
      let at = ((column / (OH * OW)) * K + channel) * OH * OW + column % (OH * OW);
      output[output_index(at)] = apply_epilogue(tile[(0u * TILE_M + i) * TILE_N + j], channel, at);
    }
  }
}
