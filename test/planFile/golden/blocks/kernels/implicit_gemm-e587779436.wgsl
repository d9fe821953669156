// conv as an implicit GEMM (im2col addressing in the loads)
//   layers: stem conv (blocks.cnn:3:10) + bn batchnorm (3:43) + stem.relu relu (3:62)
//   input: [2, 4, 8, 8] (N, C, H, W)
//   weight: [8, 4, 3, 3] (K, C/groups, KH, KW)
//   output: [2, 8, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 1 bottom 1 left 1 right 1, zeros
//   schedule: implicit_gemm tileM=8 tileN=8 vectorWidth=4 workgroupSize=64 splitK=1 workgroupMemory=false
//   gemm: 1 x [8 x 36] x [36 x 128]
//   register tile: 8 rows x 8 columns (vec4 along columns)
//   reduction: whole
//   epilogue: scale_shift -> relu
//   output store: dense
//   workgroup size: 64
//   bindings: weight (read), input (read), output (read_write), scale0 (read), shift0 (read)

@group(0) @binding(0) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> scale0: array<f32>;
@group(0) @binding(4) var<storage, read> shift0: array<f32>;

const C: u32 = 4u;
const H: u32 = 8u;
const W: u32 = 8u;
const K: u32 = 8u;
const OH: u32 = 8u;
const OW: u32 = 8u;
const KH: u32 = 3u;
const KW: u32 = 3u;
const CHANNELS_PER_GROUP: u32 = 4u;
const BATCHES: u32 = 1u;
const M: u32 = 8u;
const N: u32 = 128u;
const R: u32 = 36u;
const PLANES: u32 = 1u;
const LAST_VECTOR: u32 = 124u;
const SPLIT_K: u32 = 1u;
const SPLIT_LENGTH: u32 = 36u;
const TILE_M: u32 = 8u;
const TILE_N: u32 = 8u;
const ROW_TILES: u32 = 1u;
const COLUMN_TILES: u32 = 16u;

const STRIDE_H: i32 = 1i;
const STRIDE_W: i32 = 1i;
const DILATION_H: i32 = 1i;
const DILATION_W: i32 = 1i;
const PAD_TOP: i32 = 1i;
const PAD_LEFT: i32 = 1i;

fn source_row(coord: i32) -> i32 {
  if (coord >= 0i && coord < 8i) {
    return coord;
  }
  return -1i; // zero padding
}

fn source_col(coord: i32) -> i32 {
  if (coord >= 0i && coord < 8i) {
    return coord;
  }
  return -1i; // zero padding
}

fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {
  let stage0 = value;
  let stage1 = stage0 * scale0[channel] + shift0[channel]; // scale_shift
  let stage2 = select(max(stage1, 0.0f), stage1, ((bitcast<u32>(stage1) & 0x7fffffffu) > 0x7f800000u)); // relu
  return stage2;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 16u) {
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
  let row4 = (batch * M + min(m0 + 4u, M - 1u)) * R;
  let row5 = (batch * M + min(m0 + 5u, M - 1u)) * R;
  let row6 = (batch * M + min(m0 + 6u, M - 1u)) * R;
  let row7 = (batch * M + min(m0 + 7u, M - 1u)) * R;
  let column0_0_pixel = min(n0 + 0u, N - 1u) % (OH * OW);
  let column0_0_base = ((min(n0 + 0u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column0_0_y = i32(column0_0_pixel / OW) * STRIDE_H - PAD_TOP;
  let column0_0_x = i32(column0_0_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column0_1_pixel = min(n0 + 1u, N - 1u) % (OH * OW);
  let column0_1_base = ((min(n0 + 1u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column0_1_y = i32(column0_1_pixel / OW) * STRIDE_H - PAD_TOP;
  let column0_1_x = i32(column0_1_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column0_2_pixel = min(n0 + 2u, N - 1u) % (OH * OW);
  let column0_2_base = ((min(n0 + 2u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column0_2_y = i32(column0_2_pixel / OW) * STRIDE_H - PAD_TOP;
  let column0_2_x = i32(column0_2_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column0_3_pixel = min(n0 + 3u, N - 1u) % (OH * OW);
  let column0_3_base = ((min(n0 + 3u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column0_3_y = i32(column0_3_pixel / OW) * STRIDE_H - PAD_TOP;
  let column0_3_x = i32(column0_3_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column1_0_pixel = min(n0 + 4u, N - 1u) % (OH * OW);
  let column1_0_base = ((min(n0 + 4u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column1_0_y = i32(column1_0_pixel / OW) * STRIDE_H - PAD_TOP;
  let column1_0_x = i32(column1_0_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column1_1_pixel = min(n0 + 5u, N - 1u) % (OH * OW);
  let column1_1_base = ((min(n0 + 5u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column1_1_y = i32(column1_1_pixel / OW) * STRIDE_H - PAD_TOP;
  let column1_1_x = i32(column1_1_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column1_2_pixel = min(n0 + 6u, N - 1u) % (OH * OW);
  let column1_2_base = ((min(n0 + 6u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column1_2_y = i32(column1_2_pixel / OW) * STRIDE_H - PAD_TOP;
  let column1_2_x = i32(column1_2_pixel % OW) * STRIDE_W - PAD_LEFT;
  let column1_3_pixel = min(n0 + 7u, N - 1u) % (OH * OW);
  let column1_3_base = ((min(n0 + 7u, N - 1u) / (OH * OW)) * C + batch * CHANNELS_PER_GROUP) * H;
  let column1_3_y = i32(column1_3_pixel / OW) * STRIDE_H - PAD_TOP;
  let column1_3_x = i32(column1_3_pixel % OW) * STRIDE_W - PAD_LEFT;
  var acc0_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc0_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc1_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc2_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc3_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc4_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc4_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc5_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc5_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc6_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc6_1_0: vec4<f32> = vec4<f32>(0.0f);
  var acc7_0_0: vec4<f32> = vec4<f32>(0.0f);
  var acc7_1_0: vec4<f32> = vec4<f32>(0.0f);
  var r = r_begin;
  for (; r + 4u <= r_end; r += 4u) {
    let a0_0 = weight[(row0 + r) / 4u];
    let a1_0 = weight[(row1 + r) / 4u];
    let a2_0 = weight[(row2 + r) / 4u];
    let a3_0 = weight[(row3 + r) / 4u];
    let a4_0 = weight[(row4 + r) / 4u];
    let a5_0 = weight[(row5 + r) / 4u];
    let a6_0 = weight[(row6 + r) / 4u];
    let a7_0 = weight[(row7 + r) / 4u];
    let b0s0l0_0_row = source_row(column0_0_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l0_0_col = source_col(column0_0_x + i32(r % KW) * DILATION_W);
    let b0s0l0_0_at = ((column0_0_base + r / (KH * KW) * H) + u32(max(b0s0l0_0_row, 0i))) * W + u32(max(b0s0l0_0_col, 0i));
    let b0s0l0_0 = select(0.0f, input[b0s0l0_0_at], b0s0l0_0_row >= 0i && b0s0l0_0_col >= 0i);
    let b0s0l1_0_row = source_row(column0_1_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l1_0_col = source_col(column0_1_x + i32(r % KW) * DILATION_W);
    let b0s0l1_0_at = ((column0_1_base + r / (KH * KW) * H) + u32(max(b0s0l1_0_row, 0i))) * W + u32(max(b0s0l1_0_col, 0i));
    let b0s0l1_0 = select(0.0f, input[b0s0l1_0_at], b0s0l1_0_row >= 0i && b0s0l1_0_col >= 0i);
    let b0s0l2_0_row = source_row(column0_2_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l2_0_col = source_col(column0_2_x + i32(r % KW) * DILATION_W);
    let b0s0l2_0_at = ((column0_2_base + r / (KH * KW) * H) + u32(max(b0s0l2_0_row, 0i))) * W + u32(max(b0s0l2_0_col, 0i));
    let b0s0l2_0 = select(0.0f, input[b0s0l2_0_at], b0s0l2_0_row >= 0i && b0s0l2_0_col >= 0i);
    let b0s0l3_0_row = source_row(column0_3_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l3_0_col = source_col(column0_3_x + i32(r % KW) * DILATION_W);
    let b0s0l3_0_at = ((column0_3_base + r / (KH * KW) * H) + u32(max(b0s0l3_0_row, 0i))) * W + u32(max(b0s0l3_0_col, 0i));
    let b0s0l3_0 = select(0.0f, input[b0s0l3_0_at], b0s0l3_0_row >= 0i && b0s0l3_0_col >= 0i);
    let b0s0_0 = vec4<f32>(b0s0l0_0, b0s0l1_0, b0s0l2_0, b0s0l3_0);
    let b1s0l0_0_row = source_row(column1_0_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l0_0_col = source_col(column1_0_x + i32(r % KW) * DILATION_W);
    let b1s0l0_0_at = ((column1_0_base + r / (KH * KW) * H) + u32(max(b1s0l0_0_row, 0i))) * W + u32(max(b1s0l0_0_col, 0i));
    let b1s0l0_0 = select(0.0f, input[b1s0l0_0_at], b1s0l0_0_row >= 0i && b1s0l0_0_col >= 0i);
    let b1s0l1_0_row = source_row(column1_1_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l1_0_col = source_col(column1_1_x + i32(r % KW) * DILATION_W);
    let b1s0l1_0_at = ((column1_1_base + r / (KH * KW) * H) + u32(max(b1s0l1_0_row, 0i))) * W + u32(max(b1s0l1_0_col, 0i));
    let b1s0l1_0 = select(0.0f, input[b1s0l1_0_at], b1s0l1_0_row >= 0i && b1s0l1_0_col >= 0i);
    let b1s0l2_0_row = source_row(column1_2_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l2_0_col = source_col(column1_2_x + i32(r % KW) * DILATION_W);
    let b1s0l2_0_at = ((column1_2_base + r / (KH * KW) * H) + u32(max(b1s0l2_0_row, 0i))) * W + u32(max(b1s0l2_0_col, 0i));
    let b1s0l2_0 = select(0.0f, input[b1s0l2_0_at], b1s0l2_0_row >= 0i && b1s0l2_0_col >= 0i);
    let b1s0l3_0_row = source_row(column1_3_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l3_0_col = source_col(column1_3_x + i32(r % KW) * DILATION_W);
    let b1s0l3_0_at = ((column1_3_base + r / (KH * KW) * H) + u32(max(b1s0l3_0_row, 0i))) * W + u32(max(b1s0l3_0_col, 0i));
    let b1s0l3_0 = select(0.0f, input[b1s0l3_0_at], b1s0l3_0_row >= 0i && b1s0l3_0_col >= 0i);
    let b1s0_0 = vec4<f32>(b1s0l0_0, b1s0l1_0, b1s0l2_0, b1s0l3_0);
    let b0s1l0_0_row = source_row(column0_0_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b0s1l0_0_col = source_col(column0_0_x + i32((r + 1u) % KW) * DILATION_W);
    let b0s1l0_0_at = ((column0_0_base + (r + 1u) / (KH * KW) * H) + u32(max(b0s1l0_0_row, 0i))) * W + u32(max(b0s1l0_0_col, 0i));
    let b0s1l0_0 = select(0.0f, input[b0s1l0_0_at], b0s1l0_0_row >= 0i && b0s1l0_0_col >= 0i);
    let b0s1l1_0_row = source_row(column0_1_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b0s1l1_0_col = source_col(column0_1_x + i32((r + 1u) % KW) * DILATION_W);
    let b0s1l1_0_at = ((column0_1_base + (r + 1u) / (KH * KW) * H) + u32(max(b0s1l1_0_row, 0i))) * W + u32(max(b0s1l1_0_col, 0i));
    let b0s1l1_0 = select(0.0f, input[b0s1l1_0_at], b0s1l1_0_row >= 0i && b0s1l1_0_col >= 0i);
    let b0s1l2_0_row = source_row(column0_2_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b0s1l2_0_col = source_col(column0_2_x + i32((r + 1u) % KW) * DILATION_W);
    let b0s1l2_0_at = ((column0_2_base + (r + 1u) / (KH * KW) * H) + u32(max(b0s1l2_0_row, 0i))) * W + u32(max(b0s1l2_0_col, 0i));
    let b0s1l2_0 = select(0.0f, input[b0s1l2_0_at], b0s1l2_0_row >= 0i && b0s1l2_0_col >= 0i);
    let b0s1l3_0_row = source_row(column0_3_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b0s1l3_0_col = source_col(column0_3_x + i32((r + 1u) % KW) * DILATION_W);
    let b0s1l3_0_at = ((column0_3_base + (r + 1u) / (KH * KW) * H) + u32(max(b0s1l3_0_row, 0i))) * W + u32(max(b0s1l3_0_col, 0i));
    let b0s1l3_0 = select(0.0f, input[b0s1l3_0_at], b0s1l3_0_row >= 0i && b0s1l3_0_col >= 0i);
    let b0s1_0 = vec4<f32>(b0s1l0_0, b0s1l1_0, b0s1l2_0, b0s1l3_0);
    let b1s1l0_0_row = source_row(column1_0_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b1s1l0_0_col = source_col(column1_0_x + i32((r + 1u) % KW) * DILATION_W);
    let b1s1l0_0_at = ((column1_0_base + (r + 1u) / (KH * KW) * H) + u32(max(b1s1l0_0_row, 0i))) * W + u32(max(b1s1l0_0_col, 0i));
    let b1s1l0_0 = select(0.0f, input[b1s1l0_0_at], b1s1l0_0_row >= 0i && b1s1l0_0_col >= 0i);
    let b1s1l1_0_row = source_row(column1_1_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b1s1l1_0_col = source_col(column1_1_x + i32((r + 1u) % KW) * DILATION_W);
    let b1s1l1_0_at = ((column1_1_base + (r + 1u) / (KH * KW) * H) + u32(max(b1s1l1_0_row, 0i))) * W + u32(max(b1s1l1_0_col, 0i));
    let b1s1l1_0 = select(0.0f, input[b1s1l1_0_at], b1s1l1_0_row >= 0i && b1s1l1_0_col >= 0i);
    let b1s1l2_0_row = source_row(column1_2_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b1s1l2_0_col = source_col(column1_2_x + i32((r + 1u) % KW) * DILATION_W);
    let b1s1l2_0_at = ((column1_2_base + (r + 1u) / (KH * KW) * H) + u32(max(b1s1l2_0_row, 0i))) * W + u32(max(b1s1l2_0_col, 0i));
    let b1s1l2_0 = select(0.0f, input[b1s1l2_0_at], b1s1l2_0_row >= 0i && b1s1l2_0_col >= 0i);
    let b1s1l3_0_row = source_row(column1_3_y + i32(((r + 1u) / KW) % KH) * DILATION_H);
    let b1s1l3_0_col = source_col(column1_3_x + i32((r + 1u) % KW) * DILATION_W);
    let b1s1l3_0_at = ((column1_3_base + (r + 1u) / (KH * KW) * H) + u32(max(b1s1l3_0_row, 0i))) * W + u32(max(b1s1l3_0_col, 0i));
    let b1s1l3_0 = select(0.0f, input[b1s1l3_0_at], b1s1l3_0_row >= 0i && b1s1l3_0_col >= 0i);
    let b1s1_0 = vec4<f32>(b1s1l0_0, b1s1l1_0, b1s1l2_0, b1s1l3_0);
    let b0s2l0_0_row = source_row(column0_0_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b0s2l0_0_col = source_col(column0_0_x + i32((r + 2u) % KW) * DILATION_W);
    let b0s2l0_0_at = ((column0_0_base + (r + 2u) / (KH * KW) * H) + u32(max(b0s2l0_0_row, 0i))) * W + u32(max(b0s2l0_0_col, 0i));
    let b0s2l0_0 = select(0.0f, input[b0s2l0_0_at], b0s2l0_0_row >= 0i && b0s2l0_0_col >= 0i);
    let b0s2l1_0_row = source_row(column0_1_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b0s2l1_0_col = source_col(column0_1_x + i32((r + 2u) % KW) * DILATION_W);
    let b0s2l1_0_at = ((column0_1_base + (r + 2u) / (KH * KW) * H) + u32(max(b0s2l1_0_row, 0i))) * W + u32(max(b0s2l1_0_col, 0i));
    let b0s2l1_0 = select(0.0f, input[b0s2l1_0_at], b0s2l1_0_row >= 0i && b0s2l1_0_col >= 0i);
    let b0s2l2_0_row = source_row(column0_2_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b0s2l2_0_col = source_col(column0_2_x + i32((r + 2u) % KW) * DILATION_W);
    let b0s2l2_0_at = ((column0_2_base + (r + 2u) / (KH * KW) * H) + u32(max(b0s2l2_0_row, 0i))) * W + u32(max(b0s2l2_0_col, 0i));
    let b0s2l2_0 = select(0.0f, input[b0s2l2_0_at], b0s2l2_0_row >= 0i && b0s2l2_0_col >= 0i);
    let b0s2l3_0_row = source_row(column0_3_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b0s2l3_0_col = source_col(column0_3_x + i32((r + 2u) % KW) * DILATION_W);
    let b0s2l3_0_at = ((column0_3_base + (r + 2u) / (KH * KW) * H) + u32(max(b0s2l3_0_row, 0i))) * W + u32(max(b0s2l3_0_col, 0i));
    let b0s2l3_0 = select(0.0f, input[b0s2l3_0_at], b0s2l3_0_row >= 0i && b0s2l3_0_col >= 0i);
    let b0s2_0 = vec4<f32>(b0s2l0_0, b0s2l1_0, b0s2l2_0, b0s2l3_0);
    let b1s2l0_0_row = source_row(column1_0_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b1s2l0_0_col = source_col(column1_0_x + i32((r + 2u) % KW) * DILATION_W);
    let b1s2l0_0_at = ((column1_0_base + (r + 2u) / (KH * KW) * H) + u32(max(b1s2l0_0_row, 0i))) * W + u32(max(b1s2l0_0_col, 0i));
    let b1s2l0_0 = select(0.0f, input[b1s2l0_0_at], b1s2l0_0_row >= 0i && b1s2l0_0_col >= 0i);
    let b1s2l1_0_row = source_row(column1_1_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b1s2l1_0_col = source_col(column1_1_x + i32((r + 2u) % KW) * DILATION_W);
    let b1s2l1_0_at = ((column1_1_base + (r + 2u) / (KH * KW) * H) + u32(max(b1s2l1_0_row, 0i))) * W + u32(max(b1s2l1_0_col, 0i));
    let b1s2l1_0 = select(0.0f, input[b1s2l1_0_at], b1s2l1_0_row >= 0i && b1s2l1_0_col >= 0i);
    let b1s2l2_0_row = source_row(column1_2_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b1s2l2_0_col = source_col(column1_2_x + i32((r + 2u) % KW) * DILATION_W);
    let b1s2l2_0_at = ((column1_2_base + (r + 2u) / (KH * KW) * H) + u32(max(b1s2l2_0_row, 0i))) * W + u32(max(b1s2l2_0_col, 0i));
    let b1s2l2_0 = select(0.0f, input[b1s2l2_0_at], b1s2l2_0_row >= 0i && b1s2l2_0_col >= 0i);
    let b1s2l3_0_row = source_row(column1_3_y + i32(((r + 2u) / KW) % KH) * DILATION_H);
    let b1s2l3_0_col = source_col(column1_3_x + i32((r + 2u) % KW) * DILATION_W);
    let b1s2l3_0_at = ((column1_3_base + (r + 2u) / (KH * KW) * H) + u32(max(b1s2l3_0_row, 0i))) * W + u32(max(b1s2l3_0_col, 0i));
    let b1s2l3_0 = select(0.0f, input[b1s2l3_0_at], b1s2l3_0_row >= 0i && b1s2l3_0_col >= 0i);
    let b1s2_0 = vec4<f32>(b1s2l0_0, b1s2l1_0, b1s2l2_0, b1s2l3_0);
    let b0s3l0_0_row = source_row(column0_0_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b0s3l0_0_col = source_col(column0_0_x + i32((r + 3u) % KW) * DILATION_W);
    let b0s3l0_0_at = ((column0_0_base + (r + 3u) / (KH * KW) * H) + u32(max(b0s3l0_0_row, 0i))) * W + u32(max(b0s3l0_0_col, 0i));
    let b0s3l0_0 = select(0.0f, input[b0s3l0_0_at], b0s3l0_0_row >= 0i && b0s3l0_0_col >= 0i);
    let b0s3l1_0_row = source_row(column0_1_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b0s3l1_0_col = source_col(column0_1_x + i32((r + 3u) % KW) * DILATION_W);
    let b0s3l1_0_at = ((column0_1_base + (r + 3u) / (KH * KW) * H) + u32(max(b0s3l1_0_row, 0i))) * W + u32(max(b0s3l1_0_col, 0i));
    let b0s3l1_0 = select(0.0f, input[b0s3l1_0_at], b0s3l1_0_row >= 0i && b0s3l1_0_col >= 0i);
    let b0s3l2_0_row = source_row(column0_2_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b0s3l2_0_col = source_col(column0_2_x + i32((r + 3u) % KW) * DILATION_W);
    let b0s3l2_0_at = ((column0_2_base + (r + 3u) / (KH * KW) * H) + u32(max(b0s3l2_0_row, 0i))) * W + u32(max(b0s3l2_0_col, 0i));
    let b0s3l2_0 = select(0.0f, input[b0s3l2_0_at], b0s3l2_0_row >= 0i && b0s3l2_0_col >= 0i);
    let b0s3l3_0_row = source_row(column0_3_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b0s3l3_0_col = source_col(column0_3_x + i32((r + 3u) % KW) * DILATION_W);
    let b0s3l3_0_at = ((column0_3_base + (r + 3u) / (KH * KW) * H) + u32(max(b0s3l3_0_row, 0i))) * W + u32(max(b0s3l3_0_col, 0i));
    let b0s3l3_0 = select(0.0f, input[b0s3l3_0_at], b0s3l3_0_row >= 0i && b0s3l3_0_col >= 0i);
    let b0s3_0 = vec4<f32>(b0s3l0_0, b0s3l1_0, b0s3l2_0, b0s3l3_0);
    let b1s3l0_0_row = source_row(column1_0_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b1s3l0_0_col = source_col(column1_0_x + i32((r + 3u) % KW) * DILATION_W);
    let b1s3l0_0_at = ((column1_0_base + (r + 3u) / (KH * KW) * H) + u32(max(b1s3l0_0_row, 0i))) * W + u32(max(b1s3l0_0_col, 0i));
    let b1s3l0_0 = select(0.0f, input[b1s3l0_0_at], b1s3l0_0_row >= 0i && b1s3l0_0_col >= 0i);
    let b1s3l1_0_row = source_row(column1_1_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b1s3l1_0_col = source_col(column1_1_x + i32((r + 3u) % KW) * DILATION_W);
    let b1s3l1_0_at = ((column1_1_base + (r + 3u) / (KH * KW) * H) + u32(max(b1s3l1_0_row, 0i))) * W + u32(max(b1s3l1_0_col, 0i));
    let b1s3l1_0 = select(0.0f, input[b1s3l1_0_at], b1s3l1_0_row >= 0i && b1s3l1_0_col >= 0i);
    let b1s3l2_0_row = source_row(column1_2_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b1s3l2_0_col = source_col(column1_2_x + i32((r + 3u) % KW) * DILATION_W);
    let b1s3l2_0_at = ((column1_2_base + (r + 3u) / (KH * KW) * H) + u32(max(b1s3l2_0_row, 0i))) * W + u32(max(b1s3l2_0_col, 0i));
    let b1s3l2_0 = select(0.0f, input[b1s3l2_0_at], b1s3l2_0_row >= 0i && b1s3l2_0_col >= 0i);
    let b1s3l3_0_row = source_row(column1_3_y + i32(((r + 3u) / KW) % KH) * DILATION_H);
    let b1s3l3_0_col = source_col(column1_3_x + i32((r + 3u) % KW) * DILATION_W);
    let b1s3l3_0_at = ((column1_3_base + (r + 3u) / (KH * KW) * H) + u32(max(b1s3l3_0_row, 0i))) * W + u32(max(b1s3l3_0_col, 0i));
    let b1s3l3_0 = select(0.0f, input[b1s3l3_0_at], b1s3l3_0_row >= 0i && b1s3l3_0_col >= 0i);
    let b1s3_0 = vec4<f32>(b1s3l0_0, b1s3l1_0, b1s3l2_0, b1s3l3_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.x), b0s0_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.x), b1s0_0, acc0_1_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.x), b0s0_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.x), b1s0_0, acc1_1_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.x), b0s0_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.x), b1s0_0, acc2_1_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.x), b0s0_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.x), b1s0_0, acc3_1_0);
    acc4_0_0 = fma(vec4<f32>(a4_0.x), b0s0_0, acc4_0_0);
    acc4_1_0 = fma(vec4<f32>(a4_0.x), b1s0_0, acc4_1_0);
    acc5_0_0 = fma(vec4<f32>(a5_0.x), b0s0_0, acc5_0_0);
    acc5_1_0 = fma(vec4<f32>(a5_0.x), b1s0_0, acc5_1_0);
    acc6_0_0 = fma(vec4<f32>(a6_0.x), b0s0_0, acc6_0_0);
    acc6_1_0 = fma(vec4<f32>(a6_0.x), b1s0_0, acc6_1_0);
    acc7_0_0 = fma(vec4<f32>(a7_0.x), b0s0_0, acc7_0_0);
    acc7_1_0 = fma(vec4<f32>(a7_0.x), b1s0_0, acc7_1_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.y), b0s1_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.y), b1s1_0, acc0_1_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.y), b0s1_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.y), b1s1_0, acc1_1_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.y), b0s1_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.y), b1s1_0, acc2_1_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.y), b0s1_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.y), b1s1_0, acc3_1_0);
    acc4_0_0 = fma(vec4<f32>(a4_0.y), b0s1_0, acc4_0_0);
    acc4_1_0 = fma(vec4<f32>(a4_0.y), b1s1_0, acc4_1_0);
    acc5_0_0 = fma(vec4<f32>(a5_0.y), b0s1_0, acc5_0_0);
    acc5_1_0 = fma(vec4<f32>(a5_0.y), b1s1_0, acc5_1_0);
    acc6_0_0 = fma(vec4<f32>(a6_0.y), b0s1_0, acc6_0_0);
    acc6_1_0 = fma(vec4<f32>(a6_0.y), b1s1_0, acc6_1_0);
    acc7_0_0 = fma(vec4<f32>(a7_0.y), b0s1_0, acc7_0_0);
    acc7_1_0 = fma(vec4<f32>(a7_0.y), b1s1_0, acc7_1_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.z), b0s2_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.z), b1s2_0, acc0_1_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.z), b0s2_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.z), b1s2_0, acc1_1_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.z), b0s2_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.z), b1s2_0, acc2_1_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.z), b0s2_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.z), b1s2_0, acc3_1_0);
    acc4_0_0 = fma(vec4<f32>(a4_0.z), b0s2_0, acc4_0_0);
    acc4_1_0 = fma(vec4<f32>(a4_0.z), b1s2_0, acc4_1_0);
    acc5_0_0 = fma(vec4<f32>(a5_0.z), b0s2_0, acc5_0_0);
    acc5_1_0 = fma(vec4<f32>(a5_0.z), b1s2_0, acc5_1_0);
    acc6_0_0 = fma(vec4<f32>(a6_0.z), b0s2_0, acc6_0_0);
    acc6_1_0 = fma(vec4<f32>(a6_0.z), b1s2_0, acc6_1_0);
    acc7_0_0 = fma(vec4<f32>(a7_0.z), b0s2_0, acc7_0_0);
    acc7_1_0 = fma(vec4<f32>(a7_0.z), b1s2_0, acc7_1_0);
    acc0_0_0 = fma(vec4<f32>(a0_0.w), b0s3_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0_0.w), b1s3_0, acc0_1_0);
    acc1_0_0 = fma(vec4<f32>(a1_0.w), b0s3_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1_0.w), b1s3_0, acc1_1_0);
    acc2_0_0 = fma(vec4<f32>(a2_0.w), b0s3_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2_0.w), b1s3_0, acc2_1_0);
    acc3_0_0 = fma(vec4<f32>(a3_0.w), b0s3_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3_0.w), b1s3_0, acc3_1_0);
    acc4_0_0 = fma(vec4<f32>(a4_0.w), b0s3_0, acc4_0_0);
    acc4_1_0 = fma(vec4<f32>(a4_0.w), b1s3_0, acc4_1_0);
    acc5_0_0 = fma(vec4<f32>(a5_0.w), b0s3_0, acc5_0_0);
    acc5_1_0 = fma(vec4<f32>(a5_0.w), b1s3_0, acc5_1_0);
    acc6_0_0 = fma(vec4<f32>(a6_0.w), b0s3_0, acc6_0_0);
    acc6_1_0 = fma(vec4<f32>(a6_0.w), b1s3_0, acc6_1_0);
    acc7_0_0 = fma(vec4<f32>(a7_0.w), b0s3_0, acc7_0_0);
    acc7_1_0 = fma(vec4<f32>(a7_0.w), b1s3_0, acc7_1_0);
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
    let a4s0_0_at = row4 + r;
    let a4s0_0 = weight[a4s0_0_at / 4u][a4s0_0_at % 4u];
    let a5s0_0_at = row5 + r;
    let a5s0_0 = weight[a5s0_0_at / 4u][a5s0_0_at % 4u];
    let a6s0_0_at = row6 + r;
    let a6s0_0 = weight[a6s0_0_at / 4u][a6s0_0_at % 4u];
    let a7s0_0_at = row7 + r;
    let a7s0_0 = weight[a7s0_0_at / 4u][a7s0_0_at % 4u];
    let b0s0l0_0_row = source_row(column0_0_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l0_0_col = source_col(column0_0_x + i32(r % KW) * DILATION_W);
    let b0s0l0_0_at = ((column0_0_base + r / (KH * KW) * H) + u32(max(b0s0l0_0_row, 0i))) * W + u32(max(b0s0l0_0_col, 0i));
    let b0s0l0_0 = select(0.0f, input[b0s0l0_0_at], b0s0l0_0_row >= 0i && b0s0l0_0_col >= 0i);
    let b0s0l1_0_row = source_row(column0_1_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l1_0_col = source_col(column0_1_x + i32(r % KW) * DILATION_W);
    let b0s0l1_0_at = ((column0_1_base + r / (KH * KW) * H) + u32(max(b0s0l1_0_row, 0i))) * W + u32(max(b0s0l1_0_col, 0i));
    let b0s0l1_0 = select(0.0f, input[b0s0l1_0_at], b0s0l1_0_row >= 0i && b0s0l1_0_col >= 0i);
    let b0s0l2_0_row = source_row(column0_2_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l2_0_col = source_col(column0_2_x + i32(r % KW) * DILATION_W);
    let b0s0l2_0_at = ((column0_2_base + r / (KH * KW) * H) + u32(max(b0s0l2_0_row, 0i))) * W + u32(max(b0s0l2_0_col, 0i));
    let b0s0l2_0 = select(0.0f, input[b0s0l2_0_at], b0s0l2_0_row >= 0i && b0s0l2_0_col >= 0i);
    let b0s0l3_0_row = source_row(column0_3_y + i32((r / KW) % KH) * DILATION_H);
    let b0s0l3_0_col = source_col(column0_3_x + i32(r % KW) * DILATION_W);
    let b0s0l3_0_at = ((column0_3_base + r / (KH * KW) * H) + u32(max(b0s0l3_0_row, 0i))) * W + u32(max(b0s0l3_0_col, 0i));
    let b0s0l3_0 = select(0.0f, input[b0s0l3_0_at], b0s0l3_0_row >= 0i && b0s0l3_0_col >= 0i);
    let b0s0_0 = vec4<f32>(b0s0l0_0, b0s0l1_0, b0s0l2_0, b0s0l3_0);
    let b1s0l0_0_row = source_row(column1_0_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l0_0_col = source_col(column1_0_x + i32(r % KW) * DILATION_W);
    let b1s0l0_0_at = ((column1_0_base + r / (KH * KW) * H) + u32(max(b1s0l0_0_row, 0i))) * W + u32(max(b1s0l0_0_col, 0i));
    let b1s0l0_0 = select(0.0f, input[b1s0l0_0_at], b1s0l0_0_row >= 0i && b1s0l0_0_col >= 0i);
    let b1s0l1_0_row = source_row(column1_1_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l1_0_col = source_col(column1_1_x + i32(r % KW) * DILATION_W);
    let b1s0l1_0_at = ((column1_1_base + r / (KH * KW) * H) + u32(max(b1s0l1_0_row, 0i))) * W + u32(max(b1s0l1_0_col, 0i));
    let b1s0l1_0 = select(0.0f, input[b1s0l1_0_at], b1s0l1_0_row >= 0i && b1s0l1_0_col >= 0i);
    let b1s0l2_0_row = source_row(column1_2_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l2_0_col = source_col(column1_2_x + i32(r % KW) * DILATION_W);
    let b1s0l2_0_at = ((column1_2_base + r / (KH * KW) * H) + u32(max(b1s0l2_0_row, 0i))) * W + u32(max(b1s0l2_0_col, 0i));
    let b1s0l2_0 = select(0.0f, input[b1s0l2_0_at], b1s0l2_0_row >= 0i && b1s0l2_0_col >= 0i);
    let b1s0l3_0_row = source_row(column1_3_y + i32((r / KW) % KH) * DILATION_H);
    let b1s0l3_0_col = source_col(column1_3_x + i32(r % KW) * DILATION_W);
    let b1s0l3_0_at = ((column1_3_base + r / (KH * KW) * H) + u32(max(b1s0l3_0_row, 0i))) * W + u32(max(b1s0l3_0_col, 0i));
    let b1s0l3_0 = select(0.0f, input[b1s0l3_0_at], b1s0l3_0_row >= 0i && b1s0l3_0_col >= 0i);
    let b1s0_0 = vec4<f32>(b1s0l0_0, b1s0l1_0, b1s0l2_0, b1s0l3_0);
    acc0_0_0 = fma(vec4<f32>(a0s0_0), b0s0_0, acc0_0_0);
    acc0_1_0 = fma(vec4<f32>(a0s0_0), b1s0_0, acc0_1_0);
    acc1_0_0 = fma(vec4<f32>(a1s0_0), b0s0_0, acc1_0_0);
    acc1_1_0 = fma(vec4<f32>(a1s0_0), b1s0_0, acc1_1_0);
    acc2_0_0 = fma(vec4<f32>(a2s0_0), b0s0_0, acc2_0_0);
    acc2_1_0 = fma(vec4<f32>(a2s0_0), b1s0_0, acc2_1_0);
    acc3_0_0 = fma(vec4<f32>(a3s0_0), b0s0_0, acc3_0_0);
    acc3_1_0 = fma(vec4<f32>(a3s0_0), b1s0_0, acc3_1_0);
    acc4_0_0 = fma(vec4<f32>(a4s0_0), b0s0_0, acc4_0_0);
    acc4_1_0 = fma(vec4<f32>(a4s0_0), b1s0_0, acc4_1_0);
    acc5_0_0 = fma(vec4<f32>(a5s0_0), b0s0_0, acc5_0_0);
    acc5_1_0 = fma(vec4<f32>(a5s0_0), b1s0_0, acc5_1_0);
    acc6_0_0 = fma(vec4<f32>(a6s0_0), b0s0_0, acc6_0_0);
    acc6_1_0 = fma(vec4<f32>(a6s0_0), b1s0_0, acc6_1_0);
    acc7_0_0 = fma(vec4<f32>(a7s0_0), b0s0_0, acc7_0_0);
    acc7_1_0 = fma(vec4<f32>(a7s0_0), b1s0_0, acc7_1_0);
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
  tile[8] = acc1_0_0.x;
  tile[9] = acc1_0_0.y;
  tile[10] = acc1_0_0.z;
  tile[11] = acc1_0_0.w;
  tile[12] = acc1_1_0.x;
  tile[13] = acc1_1_0.y;
  tile[14] = acc1_1_0.z;
  tile[15] = acc1_1_0.w;
  tile[16] = acc2_0_0.x;
  tile[17] = acc2_0_0.y;
  tile[18] = acc2_0_0.z;
  tile[19] = acc2_0_0.w;
  tile[20] = acc2_1_0.x;
  tile[21] = acc2_1_0.y;
  tile[22] = acc2_1_0.z;
  tile[23] = acc2_1_0.w;
  tile[24] = acc3_0_0.x;
  tile[25] = acc3_0_0.y;
  tile[26] = acc3_0_0.z;
  tile[27] = acc3_0_0.w;
  tile[28] = acc3_1_0.x;
  tile[29] = acc3_1_0.y;
  tile[30] = acc3_1_0.z;
  tile[31] = acc3_1_0.w;
  tile[32] = acc4_0_0.x;
  tile[33] = acc4_0_0.y;
  tile[34] = acc4_0_0.z;
  tile[35] = acc4_0_0.w;
  tile[36] = acc4_1_0.x;
  tile[37] = acc4_1_0.y;
  tile[38] = acc4_1_0.z;
  tile[39] = acc4_1_0.w;
  tile[40] = acc5_0_0.x;
  tile[41] = acc5_0_0.y;
  tile[42] = acc5_0_0.z;
  tile[43] = acc5_0_0.w;
  tile[44] = acc5_1_0.x;
  tile[45] = acc5_1_0.y;
  tile[46] = acc5_1_0.z;
  tile[47] = acc5_1_0.w;
  tile[48] = acc6_0_0.x;
  tile[49] = acc6_0_0.y;
  tile[50] = acc6_0_0.z;
  tile[51] = acc6_0_0.w;
  tile[52] = acc6_1_0.x;
  tile[53] = acc6_1_0.y;
  tile[54] = acc6_1_0.z;
  tile[55] = acc6_1_0.w;
  tile[56] = acc7_0_0.x;
  tile[57] = acc7_0_0.y;
  tile[58] = acc7_0_0.z;
  tile[59] = acc7_0_0.w;
  tile[60] = acc7_1_0.x;
  tile[61] = acc7_1_0.y;
  tile[62] = acc7_1_0.z;
  tile[63] = acc7_1_0.w;
  let tile_rows = min(TILE_M, M - min(m0, M)) + workgroup.z;
  let tile_columns = min(TILE_N, N - min(n0, N)) + workgroup.z;
  for (var i = 0u; i < tile_rows; i++) {
    for (var j = 0u; j < tile_columns; j++) {
      let m = m0 + i;
      let n = n0 + j;
      let channel = batch * M + m;
      let column = n;
      let at = ((column / (OH * OW)) * K + channel) * OH * OW + column % (OH * OW);
      output[at] = apply_epilogue(tile[(0u * TILE_M + i) * TILE_N + j], channel, at);
    }
  }
}
