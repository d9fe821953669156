// conv GEMM (after im2col)
//   layers: stem conv (blocks.cnn:3:10) + bn batchnorm (3:43) + stem.relu relu (3:62)
//   input: [2, 4, 8, 8] (N, C, H, W)
//   weight: [8, 4, 3, 3] (K, C/groups, KH, KW)
//   output: [2, 8, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 1 bottom 1 left 1 right 1, zeros
//   schedule: im2col tileM=8 tileN=16 workgroupSize=64 maxChunkColumns=0
//   gemm: per group: [8 x 36] weights x [36 x 128] columns
//   register tile: 8 filters x 16 columns
//   chunks: all 128 columns (N*OH*OW) at once
//   epilogue: scale_shift -> relu
//   output store: dense
//   workgroup size: 64
//   bindings: columns (read), weight (read), output (read_write), scale0 (read), shift0 (read)

@group(0) @binding(0) var<storage, read> columns: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> scale0: array<f32>;
@group(0) @binding(4) var<storage, read> shift0: array<f32>;

const K: u32 = 8u;
const OH: u32 = 8u;
const OW: u32 = 8u;
const M: u32 = 8u;
const R: u32 = 36u;
const VECTOR_COLUMNS: u32 = 32u;
const TOTAL_COLUMNS: u32 = 128u;
const CHUNK_COLUMNS: u32 = 128u;
const TILE_M: u32 = 8u;
const VECTORS_PER_TILE: u32 = 4u;
const ROW_TILES: u32 = 1u;
const COLUMN_TILES: u32 = 8u;

fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {
  let stage0 = value;
  let stage1 = stage0 * scale0[channel] + shift0[channel]; // scale_shift
  let stage2 = select(max(stage1, 0.0f), stage1, ((bitcast<u32>(stage1) & 0x7fffffffu) > 0x7f800000u)); // relu
  return stage2;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 8u) {
    return;
  }
  let first_column = 0u;
  let column_count = TOTAL_COLUMNS;
  let column_tile = index % COLUMN_TILES;
  let row_tile = (index / COLUMN_TILES) % ROW_TILES;
  let group = index / (COLUMN_TILES * ROW_TILES);
  let m0 = row_tile * TILE_M;
  let v0 = column_tile * VECTORS_PER_TILE;
  // Rows / vec4 columns past the edge are computed on clamped copies and never stored.
  let weight_row0 = (group * M + min(m0 + 0u, M - 1u)) * R;
  let weight_row1 = (group * M + min(m0 + 1u, M - 1u)) * R;
  let weight_row2 = (group * M + min(m0 + 2u, M - 1u)) * R;
  let weight_row3 = (group * M + min(m0 + 3u, M - 1u)) * R;
  let weight_row4 = (group * M + min(m0 + 4u, M - 1u)) * R;
  let weight_row5 = (group * M + min(m0 + 5u, M - 1u)) * R;
  let weight_row6 = (group * M + min(m0 + 6u, M - 1u)) * R;
  let weight_row7 = (group * M + min(m0 + 7u, M - 1u)) * R;
  let column0 = min(v0 + 0u, VECTOR_COLUMNS - 1u);
  let column1 = min(v0 + 1u, VECTOR_COLUMNS - 1u);
  let column2 = min(v0 + 2u, VECTOR_COLUMNS - 1u);
  let column3 = min(v0 + 3u, VECTOR_COLUMNS - 1u);
  var acc0_0 = vec4<f32>(0.0f);
  var acc0_1 = vec4<f32>(0.0f);
  var acc0_2 = vec4<f32>(0.0f);
  var acc0_3 = vec4<f32>(0.0f);
  var acc1_0 = vec4<f32>(0.0f);
  var acc1_1 = vec4<f32>(0.0f);
  var acc1_2 = vec4<f32>(0.0f);
  var acc1_3 = vec4<f32>(0.0f);
  var acc2_0 = vec4<f32>(0.0f);
  var acc2_1 = vec4<f32>(0.0f);
  var acc2_2 = vec4<f32>(0.0f);
  var acc2_3 = vec4<f32>(0.0f);
  var acc3_0 = vec4<f32>(0.0f);
  var acc3_1 = vec4<f32>(0.0f);
  var acc3_2 = vec4<f32>(0.0f);
  var acc3_3 = vec4<f32>(0.0f);
  var acc4_0 = vec4<f32>(0.0f);
  var acc4_1 = vec4<f32>(0.0f);
  var acc4_2 = vec4<f32>(0.0f);
  var acc4_3 = vec4<f32>(0.0f);
  var acc5_0 = vec4<f32>(0.0f);
  var acc5_1 = vec4<f32>(0.0f);
  var acc5_2 = vec4<f32>(0.0f);
  var acc5_3 = vec4<f32>(0.0f);
  var acc6_0 = vec4<f32>(0.0f);
  var acc6_1 = vec4<f32>(0.0f);
  var acc6_2 = vec4<f32>(0.0f);
  var acc6_3 = vec4<f32>(0.0f);
  var acc7_0 = vec4<f32>(0.0f);
  var acc7_1 = vec4<f32>(0.0f);
  var acc7_2 = vec4<f32>(0.0f);
  var acc7_3 = vec4<f32>(0.0f);
  var columns_row = group * R * VECTOR_COLUMNS;
  for (var r = 0u; r < R / 4u * 4u; r += 4u) {
    let b0_0 = columns[columns_row + column0];
    let b1_0 = columns[columns_row + column1];
    let b2_0 = columns[columns_row + column2];
    let b3_0 = columns[columns_row + column3];
    let b0_1 = columns[columns_row + 1u * VECTOR_COLUMNS + column0];
    let b1_1 = columns[columns_row + 1u * VECTOR_COLUMNS + column1];
    let b2_1 = columns[columns_row + 1u * VECTOR_COLUMNS + column2];
    let b3_1 = columns[columns_row + 1u * VECTOR_COLUMNS + column3];
    let b0_2 = columns[columns_row + 2u * VECTOR_COLUMNS + column0];
    let b1_2 = columns[columns_row + 2u * VECTOR_COLUMNS + column1];
    let b2_2 = columns[columns_row + 2u * VECTOR_COLUMNS + column2];
    let b3_2 = columns[columns_row + 2u * VECTOR_COLUMNS + column3];
    let b0_3 = columns[columns_row + 3u * VECTOR_COLUMNS + column0];
    let b1_3 = columns[columns_row + 3u * VECTOR_COLUMNS + column1];
    let b2_3 = columns[columns_row + 3u * VECTOR_COLUMNS + column2];
    let b3_3 = columns[columns_row + 3u * VECTOR_COLUMNS + column3];
    let a0 = weight[(weight_row0 + r) / 4u];
    let a1 = weight[(weight_row1 + r) / 4u];
    let a2 = weight[(weight_row2 + r) / 4u];
    let a3 = weight[(weight_row3 + r) / 4u];
    let a4 = weight[(weight_row4 + r) / 4u];
    let a5 = weight[(weight_row5 + r) / 4u];
    let a6 = weight[(weight_row6 + r) / 4u];
    let a7 = weight[(weight_row7 + r) / 4u];
    acc0_0 = fma(vec4<f32>(a0.x), b0_0, acc0_0);
    acc0_0 = fma(vec4<f32>(a0.y), b0_1, acc0_0);
    acc0_0 = fma(vec4<f32>(a0.z), b0_2, acc0_0);
    acc0_0 = fma(vec4<f32>(a0.w), b0_3, acc0_0);
    acc0_1 = fma(vec4<f32>(a0.x), b1_0, acc0_1);
    acc0_1 = fma(vec4<f32>(a0.y), b1_1, acc0_1);
    acc0_1 = fma(vec4<f32>(a0.z), b1_2, acc0_1);
    acc0_1 = fma(vec4<f32>(a0.w), b1_3, acc0_1);
    acc0_2 = fma(vec4<f32>(a0.x), b2_0, acc0_2);
    acc0_2 = fma(vec4<f32>(a0.y), b2_1, acc0_2);
    acc0_2 = fma(vec4<f32>(a0.z), b2_2, acc0_2);
    acc0_2 = fma(vec4<f32>(a0.w), b2_3, acc0_2);
    acc0_3 = fma(vec4<f32>(a0.x), b3_0, acc0_3);
    acc0_3 = fma(vec4<f32>(a0.y), b3_1, acc0_3);
    acc0_3 = fma(vec4<f32>(a0.z), b3_2, acc0_3);
    acc0_3 = fma(vec4<f32>(a0.w), b3_3, acc0_3);
    acc1_0 = fma(vec4<f32>(a1.x), b0_0, acc1_0);
    acc1_0 = fma(vec4<f32>(a1.y), b0_1, acc1_0);
    acc1_0 = fma(vec4<f32>(a1.z), b0_2, acc1_0);
    acc1_0 = fma(vec4<f32>(a1.w), b0_3, acc1_0);
    acc1_1 = fma(vec4<f32>(a1.x), b1_0, acc1_1);
    acc1_1 = fma(vec4<f32>(a1.y), b1_1, acc1_1);
    acc1_1 = fma(vec4<f32>(a1.z), b1_2, acc1_1);
    acc1_1 = fma(vec4<f32>(a1.w), b1_3, acc1_1);
    acc1_2 = fma(vec4<f32>(a1.x), b2_0, acc1_2);
    acc1_2 = fma(vec4<f32>(a1.y), b2_1, acc1_2);
    acc1_2 = fma(vec4<f32>(a1.z), b2_2, acc1_2);
    acc1_2 = fma(vec4<f32>(a1.w), b2_3, acc1_2);
    acc1_3 = fma(vec4<f32>(a1.x), b3_0, acc1_3);
    acc1_3 = fma(vec4<f32>(a1.y), b3_1, acc1_3);
    acc1_3 = fma(vec4<f32>(a1.z), b3_2, acc1_3);
    acc1_3 = fma(vec4<f32>(a1.w), b3_3, acc1_3);
    acc2_0 = fma(vec4<f32>(a2.x), b0_0, acc2_0);
    acc2_0 = fma(vec4<f32>(a2.y), b0_1, acc2_0);
    acc2_0 = fma(vec4<f32>(a2.z), b0_2, acc2_0);
    acc2_0 = fma(vec4<f32>(a2.w), b0_3, acc2_0);
    acc2_1 = fma(vec4<f32>(a2.x), b1_0, acc2_1);
    acc2_1 = fma(vec4<f32>(a2.y), b1_1, acc2_1);
    acc2_1 = fma(vec4<f32>(a2.z), b1_2, acc2_1);
    acc2_1 = fma(vec4<f32>(a2.w), b1_3, acc2_1);
    acc2_2 = fma(vec4<f32>(a2.x), b2_0, acc2_2);
    acc2_2 = fma(vec4<f32>(a2.y), b2_1, acc2_2);
    acc2_2 = fma(vec4<f32>(a2.z), b2_2, acc2_2);
    acc2_2 = fma(vec4<f32>(a2.w), b2_3, acc2_2);
    acc2_3 = fma(vec4<f32>(a2.x), b3_0, acc2_3);
    acc2_3 = fma(vec4<f32>(a2.y), b3_1, acc2_3);
    acc2_3 = fma(vec4<f32>(a2.z), b3_2, acc2_3);
    acc2_3 = fma(vec4<f32>(a2.w), b3_3, acc2_3);
    acc3_0 = fma(vec4<f32>(a3.x), b0_0, acc3_0);
    acc3_0 = fma(vec4<f32>(a3.y), b0_1, acc3_0);
    acc3_0 = fma(vec4<f32>(a3.z), b0_2, acc3_0);
    acc3_0 = fma(vec4<f32>(a3.w), b0_3, acc3_0);
    acc3_1 = fma(vec4<f32>(a3.x), b1_0, acc3_1);
    acc3_1 = fma(vec4<f32>(a3.y), b1_1, acc3_1);
    acc3_1 = fma(vec4<f32>(a3.z), b1_2, acc3_1);
    acc3_1 = fma(vec4<f32>(a3.w), b1_3, acc3_1);
    acc3_2 = fma(vec4<f32>(a3.x), b2_0, acc3_2);
    acc3_2 = fma(vec4<f32>(a3.y), b2_1, acc3_2);
    acc3_2 = fma(vec4<f32>(a3.z), b2_2, acc3_2);
    acc3_2 = fma(vec4<f32>(a3.w), b2_3, acc3_2);
    acc3_3 = fma(vec4<f32>(a3.x), b3_0, acc3_3);
    acc3_3 = fma(vec4<f32>(a3.y), b3_1, acc3_3);
    acc3_3 = fma(vec4<f32>(a3.z), b3_2, acc3_3);
    acc3_3 = fma(vec4<f32>(a3.w), b3_3, acc3_3);
    acc4_0 = fma(vec4<f32>(a4.x), b0_0, acc4_0);
    acc4_0 = fma(vec4<f32>(a4.y), b0_1, acc4_0);
    acc4_0 = fma(vec4<f32>(a4.z), b0_2, acc4_0);
    acc4_0 = fma(vec4<f32>(a4.w), b0_3, acc4_0);
    acc4_1 = fma(vec4<f32>(a4.x), b1_0, acc4_1);
    acc4_1 = fma(vec4<f32>(a4.y), b1_1, acc4_1);
    acc4_1 = fma(vec4<f32>(a4.z), b1_2, acc4_1);
    acc4_1 = fma(vec4<f32>(a4.w), b1_3, acc4_1);
    acc4_2 = fma(vec4<f32>(a4.x), b2_0, acc4_2);
    acc4_2 = fma(vec4<f32>(a4.y), b2_1, acc4_2);
    acc4_2 = fma(vec4<f32>(a4.z), b2_2, acc4_2);
    acc4_2 = fma(vec4<f32>(a4.w), b2_3, acc4_2);
    acc4_3 = fma(vec4<f32>(a4.x), b3_0, acc4_3);
    acc4_3 = fma(vec4<f32>(a4.y), b3_1, acc4_3);
    acc4_3 = fma(vec4<f32>(a4.z), b3_2, acc4_3);
    acc4_3 = fma(vec4<f32>(a4.w), b3_3, acc4_3);
    acc5_0 = fma(vec4<f32>(a5.x), b0_0, acc5_0);
    acc5_0 = fma(vec4<f32>(a5.y), b0_1, acc5_0);
    acc5_0 = fma(vec4<f32>(a5.z), b0_2, acc5_0);
    acc5_0 = fma(vec4<f32>(a5.w), b0_3, acc5_0);
    acc5_1 = fma(vec4<f32>(a5.x), b1_0, acc5_1);
    acc5_1 = fma(vec4<f32>(a5.y), b1_1, acc5_1);
    acc5_1 = fma(vec4<f32>(a5.z), b1_2, acc5_1);
    acc5_1 = fma(vec4<f32>(a5.w), b1_3, acc5_1);
    acc5_2 = fma(vec4<f32>(a5.x), b2_0, acc5_2);
    acc5_2 = fma(vec4<f32>(a5.y), b2_1, acc5_2);
    acc5_2 = fma(vec4<f32>(a5.z), b2_2, acc5_2);
    acc5_2 = fma(vec4<f32>(a5.w), b2_3, acc5_2);
    acc5_3 = fma(vec4<f32>(a5.x), b3_0, acc5_3);
    acc5_3 = fma(vec4<f32>(a5.y), b3_1, acc5_3);
    acc5_3 = fma(vec4<f32>(a5.z), b3_2, acc5_3);
    acc5_3 = fma(vec4<f32>(a5.w), b3_3, acc5_3);
    acc6_0 = fma(vec4<f32>(a6.x), b0_0, acc6_0);
    acc6_0 = fma(vec4<f32>(a6.y), b0_1, acc6_0);
    acc6_0 = fma(vec4<f32>(a6.z), b0_2, acc6_0);
    acc6_0 = fma(vec4<f32>(a6.w), b0_3, acc6_0);
    acc6_1 = fma(vec4<f32>(a6.x), b1_0, acc6_1);
    acc6_1 = fma(vec4<f32>(a6.y), b1_1, acc6_1);
    acc6_1 = fma(vec4<f32>(a6.z), b1_2, acc6_1);
    acc6_1 = fma(vec4<f32>(a6.w), b1_3, acc6_1);
    acc6_2 = fma(vec4<f32>(a6.x), b2_0, acc6_2);
    acc6_2 = fma(vec4<f32>(a6.y), b2_1, acc6_2);
    acc6_2 = fma(vec4<f32>(a6.z), b2_2, acc6_2);
    acc6_2 = fma(vec4<f32>(a6.w), b2_3, acc6_2);
    acc6_3 = fma(vec4<f32>(a6.x), b3_0, acc6_3);
    acc6_3 = fma(vec4<f32>(a6.y), b3_1, acc6_3);
    acc6_3 = fma(vec4<f32>(a6.z), b3_2, acc6_3);
    acc6_3 = fma(vec4<f32>(a6.w), b3_3, acc6_3);
    acc7_0 = fma(vec4<f32>(a7.x), b0_0, acc7_0);
    acc7_0 = fma(vec4<f32>(a7.y), b0_1, acc7_0);
    acc7_0 = fma(vec4<f32>(a7.z), b0_2, acc7_0);
    acc7_0 = fma(vec4<f32>(a7.w), b0_3, acc7_0);
    acc7_1 = fma(vec4<f32>(a7.x), b1_0, acc7_1);
    acc7_1 = fma(vec4<f32>(a7.y), b1_1, acc7_1);
    acc7_1 = fma(vec4<f32>(a7.z), b1_2, acc7_1);
    acc7_1 = fma(vec4<f32>(a7.w), b1_3, acc7_1);
    acc7_2 = fma(vec4<f32>(a7.x), b2_0, acc7_2);
    acc7_2 = fma(vec4<f32>(a7.y), b2_1, acc7_2);
    acc7_2 = fma(vec4<f32>(a7.z), b2_2, acc7_2);
    acc7_2 = fma(vec4<f32>(a7.w), b2_3, acc7_2);
    acc7_3 = fma(vec4<f32>(a7.x), b3_0, acc7_3);
    acc7_3 = fma(vec4<f32>(a7.y), b3_1, acc7_3);
    acc7_3 = fma(vec4<f32>(a7.z), b3_2, acc7_3);
    acc7_3 = fma(vec4<f32>(a7.w), b3_3, acc7_3);
    columns_row += 4u * VECTOR_COLUMNS;
  }
  let tile_columns = min(VECTORS_PER_TILE * 4u, column_count - min(v0 * 4u, column_count)) + workgroup.z;
  for (var lane = 0u; lane < min(4u, tile_columns - min(0u, tile_columns)); lane++) {
    let column = first_column + (v0 + 0u) * 4u + lane;
    let base = ((column / (OH * OW)) * K + group * M + m0) * OH * OW + column % (OH * OW);
    output[base] = acc0_0[lane];
    if (m0 + 1u < M) {
      output[base + 1u * OH * OW] = acc1_0[lane];
    }
    if (m0 + 2u < M) {
      output[base + 2u * OH * OW] = acc2_0[lane];
    }
    if (m0 + 3u < M) {
      output[base + 3u * OH * OW] = acc3_0[lane];
    }
    if (m0 + 4u < M) {
      output[base + 4u * OH * OW] = acc4_0[lane];
    }
    if (m0 + 5u < M) {
      output[base + 5u * OH * OW] = acc5_0[lane];
    }
    if (m0 + 6u < M) {
      output[base + 6u * OH * OW] = acc6_0[lane];
    }
    if (m0 + 7u < M) {
      output[base + 7u * OH * OW] = acc7_0[lane];
    }
  }
  for (var lane = 0u; lane < min(4u, tile_columns - min(4u, tile_columns)); lane++) {
    let column = first_column + (v0 + 1u) * 4u + lane;
    let base = ((column / (OH * OW)) * K + group * M + m0) * OH * OW + column % (OH * OW);
    output[base] = acc0_1[lane];
    if (m0 + 1u < M) {
      output[base + 1u * OH * OW] = acc1_1[lane];
    }
    if (m0 + 2u < M) {
      output[base + 2u * OH * OW] = acc2_1[lane];
    }
    if (m0 + 3u < M) {
      output[base + 3u * OH * OW] = acc3_1[lane];
    }
    if (m0 + 4u < M) {
      output[base + 4u * OH * OW] = acc4_1[lane];
    }
    if (m0 + 5u < M) {
      output[base + 5u * OH * OW] = acc5_1[lane];
    }
    if (m0 + 6u < M) {
      output[base + 6u * OH * OW] = acc6_1[lane];
    }
    if (m0 + 7u < M) {
      output[base + 7u * OH * OW] = acc7_1[lane];
    }
  }
  for (var lane = 0u; lane < min(4u, tile_columns - min(8u, tile_columns)); lane++) {
    let column = first_column + (v0 + 2u) * 4u + lane;
    let base = ((column / (OH * OW)) * K + group * M + m0) * OH * OW + column % (OH * OW);
    output[base] = acc0_2[lane];
    if (m0 + 1u < M) {
      output[base + 1u * OH * OW] = acc1_2[lane];
    }
    if (m0 + 2u < M) {
      output[base + 2u * OH * OW] = acc2_2[lane];
    }
    if (m0 + 3u < M) {
      output[base + 3u * OH * OW] = acc3_2[lane];
    }
    if (m0 + 4u < M) {
      output[base + 4u * OH * OW] = acc4_2[lane];
    }
    if (m0 + 5u < M) {
      output[base + 5u * OH * OW] = acc5_2[lane];
    }
    if (m0 + 6u < M) {
      output[base + 6u * OH * OW] = acc6_2[lane];
    }
    if (m0 + 7u < M) {
      output[base + 7u * OH * OW] = acc7_2[lane];
    }
  }
  for (var lane = 0u; lane < min(4u, tile_columns - min(12u, tile_columns)); lane++) {
    let column = first_column + (v0 + 3u) * 4u + lane;
    let base = ((column / (OH * OW)) * K + group * M + m0) * OH * OW + column % (OH * OW);
    output[base] = acc0_3[lane];
    if (m0 + 1u < M) {
      output[base + 1u * OH * OW] = acc1_3[lane];
    }
    if (m0 + 2u < M) {
      output[base + 2u * OH * OW] = acc2_3[lane];
    }
    if (m0 + 3u < M) {
      output[base + 3u * OH * OW] = acc3_3[lane];
    }
    if (m0 + 4u < M) {
      output[base + 4u * OH * OW] = acc4_3[lane];
    }
    if (m0 + 5u < M) {
      output[base + 5u * OH * OW] = acc5_3[lane];
    }
    if (m0 + 6u < M) {
      output[base + 6u * OH * OW] = acc6_3[lane];
    }
    if (m0 + 7u < M) {
      output[base + 7u * OH * OW] = acc7_3[lane];
    }
  }
  let tile_rows = min(TILE_M, M - m0) + workgroup.z;
  for (var i = 0u; i < tile_rows; i++) {
    let channel = group * M + m0 + i;
    for (var c = 0u; c < tile_columns; c++) {
      let column = first_column + v0 * 4u + c;
      let at = ((column / (OH * OW)) * K + channel) * OH * OW + column % (OH * OW);
      output[at] = apply_epilogue(output[at], channel, at);
    }
  }
}
