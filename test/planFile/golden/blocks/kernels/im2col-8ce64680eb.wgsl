// im2col
//   layers: stem conv (blocks.cnn:3:10) + bn batchnorm (3:43) + stem.relu relu (3:62)
//   input: [2, 4, 8, 8] (N, C, H, W)
//   weight: [8, 4, 3, 3] (K, C/groups, KH, KW)
//   output: [2, 8, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 1 bottom 1 left 1 right 1, zeros
//   schedule: im2col tileM=8 tileN=16 vectorWidth=4 workgroupSize=64 splitK=1 workgroupMemory=false maxChunkColumns=0
//   columns: [1][36][128] (groups, C/groups*KH*KW, columns of one chunk)
//   chunks: all 128 columns (N*OH*OW) at once
//   workgroup size: 64
//   bindings: input (read), columns (read_write)

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> columns: array<vec4<f32>>;

const C: u32 = 4u;
const H: u32 = 8u;
const W: u32 = 8u;
const OH: u32 = 8u;
const OW: u32 = 8u;
const KH: u32 = 3u;
const KW: u32 = 3u;
const CHANNELS_PER_GROUP: u32 = 4u;
const ROWS: u32 = 36u;
const VECTOR_COLUMNS: u32 = 32u;
const TOTAL_COLUMNS: u32 = 128u;
const CHUNK_COLUMNS: u32 = 128u;
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

// The input value multiplying tap (channel, kh, kw) at global column n * OH * OW + pixel.
fn column_value(column: u32, channel: u32, kh: u32, kw: u32) -> f32 {
  let n = column / (OH * OW);
  let pixel = column % (OH * OW);
  let row = source_row(i32(pixel / OW) * STRIDE_H - PAD_TOP + i32(kh) * DILATION_H);
  let col = source_col(i32(pixel % OW) * STRIDE_W - PAD_LEFT + i32(kw) * DILATION_W);
  if (row < 0i || col < 0i) {
    return 0.0f;
  }
  return input[((n * C + channel) * H + u32(row)) * W + u32(col)];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 18u + workgroup.x) * 64u + local;
  if (index >= 1152u) {
    return;
  }
  let first_column = 0u;
  let column_count = TOTAL_COLUMNS;
  let vector_column = index % VECTOR_COLUMNS;
  let row = (index / VECTOR_COLUMNS) % ROWS;
  let group = index / (VECTOR_COLUMNS * ROWS);
  let channel = group * CHANNELS_PER_GROUP + row / (KH * KW);
  let kh = (row / KW) % KH;
  let kw = row % KW;
  let first = vector_column * 4u;
  // Columns past the chunk's end (row padding to a multiple of 4) hold zeros.
  var values = vec4<f32>(0.0f);
  if (first + 0u < column_count) {
    values.x = column_value(first_column + first + 0u, channel, kh, kw);
  }
  if (first + 1u < column_count) {
    values.y = column_value(first_column + first + 1u, channel, kh, kw);
  }
  if (first + 2u < column_count) {
    values.z = column_value(first_column + first + 2u, channel, kh, kw);
  }
  if (first + 3u < column_count) {
    values.w = column_value(first_column + first + 3u, channel, kh, kw);
  }
  columns[index] = values;
}
