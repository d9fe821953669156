// conv2d direct + max pool
//   layers: conv1 conv (blocks.cnn:8:26) + relu1 relu (8:47) + maxpool1 maxpool (8:55)
//   input: [2, 8, 8, 8] (N, C, H, W)
//   weight: [8, 8, 3, 3] (K, C/groups, KH, KW)
//   output: [2, 8, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 1 bottom 1 left 1 right 1, zeros
//   pool: max 2x2 stride 2x2 over the conv output, which is never stored (the epilogue applies to each conv value before pooling)
//   pooled output: [2, 8, 4, 4]
//   schedule: direct outputChannelsPerInvocation=8 pixelsPerInvocation=2 workgroupSize=64
//   register block: 8 channels x 2 pooled pixels x 4 window cells
//   epilogue: bias -> relu
//   output store: dense
//   workgroup size: 64
//   bindings: input (read), weight (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const C: u32 = 8u;
const H: u32 = 8u;
const W: u32 = 8u;
const K: u32 = 8u;
const OH: u32 = 8u;
const OW: u32 = 8u;
const KH: u32 = 3u;
const KW: u32 = 3u;
const CHANNELS_PER_GROUP: u32 = 8u;
const FILTERS_PER_GROUP: u32 = 8u;
const WEIGHTS_PER_FILTER: u32 = 72u;
const CHANNELS_PER_INVOCATION: u32 = 8u;
const PIXELS_PER_INVOCATION: u32 = 2u;
const CHANNEL_BLOCKS: u32 = 1u;
const PIXEL_BLOCKS: u32 = 8u;
const POH: u32 = 4u;
const POW: u32 = 4u;
const POOL_KH: u32 = 2u;
const POOL_KW: u32 = 2u;
const POOL_SH: u32 = 2u;
const POOL_SW: u32 = 2u;
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

// max that keeps a NaN (WGSL's max may drop it, as PyTorch's does not).
fn max_keeping_nan(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, ((bitcast<u32>(b) & 0x7fffffffu) > 0x7f800000u)), a, ((bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u));
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
  if (index >= 16u) {
    return;
  }
  let pixel_block = index % PIXEL_BLOCKS;
  let channel_block = (index / PIXEL_BLOCKS) % CHANNEL_BLOCKS;
  let n = index / (PIXEL_BLOCKS * CHANNEL_BLOCKS);
  let k0 = channel_block * CHANNELS_PER_INVOCATION;
  let group = k0 / FILTERS_PER_GROUP;
  let input_base = (n * C + group * CHANNELS_PER_GROUP) * H * W;
  let p0 = pixel_block * PIXELS_PER_INVOCATION;
  // Pixels past the end (last block only) are computed on a clamped copy and never stored.
  let pooled0 = min(p0 + 0u, POH * POW - 1u);
  let window_row0 = (pooled0 / POW) * POOL_SH;
  let window_col0 = (pooled0 % POW) * POOL_SW;
  let conv_row0 = window_row0 + 0u;
  let conv_col0 = window_col0 + 0u;
  let top0 = i32(conv_row0) * STRIDE_H - PAD_TOP;
  let left0 = i32(conv_col0) * STRIDE_W - PAD_LEFT;
  let conv_row1 = window_row0 + 0u;
  let conv_col1 = window_col0 + 1u;
  let top1 = i32(conv_row1) * STRIDE_H - PAD_TOP;
  let left1 = i32(conv_col1) * STRIDE_W - PAD_LEFT;
  let conv_row2 = window_row0 + 1u;
  let conv_col2 = window_col0 + 0u;
  let top2 = i32(conv_row2) * STRIDE_H - PAD_TOP;
  let left2 = i32(conv_col2) * STRIDE_W - PAD_LEFT;
  let conv_row3 = window_row0 + 1u;
  let conv_col3 = window_col0 + 1u;
  let top3 = i32(conv_row3) * STRIDE_H - PAD_TOP;
  let left3 = i32(conv_col3) * STRIDE_W - PAD_LEFT;
  let pooled1 = min(p0 + 1u, POH * POW - 1u);
  let window_row1 = (pooled1 / POW) * POOL_SH;
  let window_col1 = (pooled1 % POW) * POOL_SW;
  let conv_row4 = window_row1 + 0u;
  let conv_col4 = window_col1 + 0u;
  let top4 = i32(conv_row4) * STRIDE_H - PAD_TOP;
  let left4 = i32(conv_col4) * STRIDE_W - PAD_LEFT;
  let conv_row5 = window_row1 + 0u;
  let conv_col5 = window_col1 + 1u;
  let top5 = i32(conv_row5) * STRIDE_H - PAD_TOP;
  let left5 = i32(conv_col5) * STRIDE_W - PAD_LEFT;
  let conv_row6 = window_row1 + 1u;
  let conv_col6 = window_col1 + 0u;
  let top6 = i32(conv_row6) * STRIDE_H - PAD_TOP;
  let left6 = i32(conv_col6) * STRIDE_W - PAD_LEFT;
  let conv_row7 = window_row1 + 1u;
  let conv_col7 = window_col1 + 1u;
  let top7 = i32(conv_row7) * STRIDE_H - PAD_TOP;
  let left7 = i32(conv_col7) * STRIDE_W - PAD_LEFT;
  var acc0_0 = 0.0f;
  var acc0_1 = 0.0f;
  var acc0_2 = 0.0f;
  var acc0_3 = 0.0f;
  var acc0_4 = 0.0f;
  var acc0_5 = 0.0f;
  var acc0_6 = 0.0f;
  var acc0_7 = 0.0f;
  var acc1_0 = 0.0f;
  var acc1_1 = 0.0f;
  var acc1_2 = 0.0f;
  var acc1_3 = 0.0f;
  var acc1_4 = 0.0f;
  var acc1_5 = 0.0f;
  var acc1_6 = 0.0f;
  var acc1_7 = 0.0f;
  var acc2_0 = 0.0f;
  var acc2_1 = 0.0f;
  var acc2_2 = 0.0f;
  var acc2_3 = 0.0f;
  var acc2_4 = 0.0f;
  var acc2_5 = 0.0f;
  var acc2_6 = 0.0f;
  var acc2_7 = 0.0f;
  var acc3_0 = 0.0f;
  var acc3_1 = 0.0f;
  var acc3_2 = 0.0f;
  var acc3_3 = 0.0f;
  var acc3_4 = 0.0f;
  var acc3_5 = 0.0f;
  var acc3_6 = 0.0f;
  var acc3_7 = 0.0f;
  var acc4_0 = 0.0f;
  var acc4_1 = 0.0f;
  var acc4_2 = 0.0f;
  var acc4_3 = 0.0f;
  var acc4_4 = 0.0f;
  var acc4_5 = 0.0f;
  var acc4_6 = 0.0f;
  var acc4_7 = 0.0f;
  var acc5_0 = 0.0f;
  var acc5_1 = 0.0f;
  var acc5_2 = 0.0f;
  var acc5_3 = 0.0f;
  var acc5_4 = 0.0f;
  var acc5_5 = 0.0f;
  var acc5_6 = 0.0f;
  var acc5_7 = 0.0f;
  var acc6_0 = 0.0f;
  var acc6_1 = 0.0f;
  var acc6_2 = 0.0f;
  var acc6_3 = 0.0f;
  var acc6_4 = 0.0f;
  var acc6_5 = 0.0f;
  var acc6_6 = 0.0f;
  var acc6_7 = 0.0f;
  var acc7_0 = 0.0f;
  var acc7_1 = 0.0f;
  var acc7_2 = 0.0f;
  var acc7_3 = 0.0f;
  var acc7_4 = 0.0f;
  var acc7_5 = 0.0f;
  var acc7_6 = 0.0f;
  var acc7_7 = 0.0f;
  for (var kh = 0u; kh < KH; kh++) {
    let row0 = source_row(top0 + i32(kh) * DILATION_H);
    let row1 = source_row(top1 + i32(kh) * DILATION_H);
    let row2 = source_row(top2 + i32(kh) * DILATION_H);
    let row3 = source_row(top3 + i32(kh) * DILATION_H);
    let row4 = source_row(top4 + i32(kh) * DILATION_H);
    let row5 = source_row(top5 + i32(kh) * DILATION_H);
    let row6 = source_row(top6 + i32(kh) * DILATION_H);
    let row7 = source_row(top7 + i32(kh) * DILATION_H);
    for (var kw = 0u; kw < KW; kw++) {
      let col0 = source_col(left0 + i32(kw) * DILATION_W);
      let valid0 = row0 >= 0i && col0 >= 0i;
      let offset0 = u32(select(0i, row0 * i32(W) + col0, valid0));
      let col1 = source_col(left1 + i32(kw) * DILATION_W);
      let valid1 = row1 >= 0i && col1 >= 0i;
      let offset1 = u32(select(0i, row1 * i32(W) + col1, valid1));
      let col2 = source_col(left2 + i32(kw) * DILATION_W);
      let valid2 = row2 >= 0i && col2 >= 0i;
      let offset2 = u32(select(0i, row2 * i32(W) + col2, valid2));
      let col3 = source_col(left3 + i32(kw) * DILATION_W);
      let valid3 = row3 >= 0i && col3 >= 0i;
      let offset3 = u32(select(0i, row3 * i32(W) + col3, valid3));
      let col4 = source_col(left4 + i32(kw) * DILATION_W);
      let valid4 = row4 >= 0i && col4 >= 0i;
      let offset4 = u32(select(0i, row4 * i32(W) + col4, valid4));
      let col5 = source_col(left5 + i32(kw) * DILATION_W);
      let valid5 = row5 >= 0i && col5 >= 0i;
      let offset5 = u32(select(0i, row5 * i32(W) + col5, valid5));
      let col6 = source_col(left6 + i32(kw) * DILATION_W);
      let valid6 = row6 >= 0i && col6 >= 0i;
      let offset6 = u32(select(0i, row6 * i32(W) + col6, valid6));
      let col7 = source_col(left7 + i32(kw) * DILATION_W);
      let valid7 = row7 >= 0i && col7 >= 0i;
      let offset7 = u32(select(0i, row7 * i32(W) + col7, valid7));
      var input_index = input_base;
      var weight_index = k0 * WEIGHTS_PER_FILTER + kh * KW + kw;
      for (var c = 0u; c < CHANNELS_PER_GROUP; c++) {
        let x0 = select(0.0f, input[input_index + offset0], valid0);
        let x1 = select(0.0f, input[input_index + offset1], valid1);
        let x2 = select(0.0f, input[input_index + offset2], valid2);
        let x3 = select(0.0f, input[input_index + offset3], valid3);
        let x4 = select(0.0f, input[input_index + offset4], valid4);
        let x5 = select(0.0f, input[input_index + offset5], valid5);
        let x6 = select(0.0f, input[input_index + offset6], valid6);
        let x7 = select(0.0f, input[input_index + offset7], valid7);
        let w0 = weight[weight_index];
        let w1 = weight[weight_index + 1u * WEIGHTS_PER_FILTER];
        let w2 = weight[weight_index + 2u * WEIGHTS_PER_FILTER];
        let w3 = weight[weight_index + 3u * WEIGHTS_PER_FILTER];
        let w4 = weight[weight_index + 4u * WEIGHTS_PER_FILTER];
        let w5 = weight[weight_index + 5u * WEIGHTS_PER_FILTER];
        let w6 = weight[weight_index + 6u * WEIGHTS_PER_FILTER];
        let w7 = weight[weight_index + 7u * WEIGHTS_PER_FILTER];
        acc0_0 = fma(w0, x0, acc0_0);
        acc0_1 = fma(w0, x1, acc0_1);
        acc0_2 = fma(w0, x2, acc0_2);
        acc0_3 = fma(w0, x3, acc0_3);
        acc0_4 = fma(w0, x4, acc0_4);
        acc0_5 = fma(w0, x5, acc0_5);
        acc0_6 = fma(w0, x6, acc0_6);
        acc0_7 = fma(w0, x7, acc0_7);
        acc1_0 = fma(w1, x0, acc1_0);
        acc1_1 = fma(w1, x1, acc1_1);
        acc1_2 = fma(w1, x2, acc1_2);
        acc1_3 = fma(w1, x3, acc1_3);
        acc1_4 = fma(w1, x4, acc1_4);
        acc1_5 = fma(w1, x5, acc1_5);
        acc1_6 = fma(w1, x6, acc1_6);
        acc1_7 = fma(w1, x7, acc1_7);
        acc2_0 = fma(w2, x0, acc2_0);
        acc2_1 = fma(w2, x1, acc2_1);
        acc2_2 = fma(w2, x2, acc2_2);
        acc2_3 = fma(w2, x3, acc2_3);
        acc2_4 = fma(w2, x4, acc2_4);
        acc2_5 = fma(w2, x5, acc2_5);
        acc2_6 = fma(w2, x6, acc2_6);
        acc2_7 = fma(w2, x7, acc2_7);
        acc3_0 = fma(w3, x0, acc3_0);
        acc3_1 = fma(w3, x1, acc3_1);
        acc3_2 = fma(w3, x2, acc3_2);
        acc3_3 = fma(w3, x3, acc3_3);
        acc3_4 = fma(w3, x4, acc3_4);
        acc3_5 = fma(w3, x5, acc3_5);
        acc3_6 = fma(w3, x6, acc3_6);
        acc3_7 = fma(w3, x7, acc3_7);
        acc4_0 = fma(w4, x0, acc4_0);
        acc4_1 = fma(w4, x1, acc4_1);
        acc4_2 = fma(w4, x2, acc4_2);
        acc4_3 = fma(w4, x3, acc4_3);
        acc4_4 = fma(w4, x4, acc4_4);
        acc4_5 = fma(w4, x5, acc4_5);
        acc4_6 = fma(w4, x6, acc4_6);
        acc4_7 = fma(w4, x7, acc4_7);
        acc5_0 = fma(w5, x0, acc5_0);
        acc5_1 = fma(w5, x1, acc5_1);
        acc5_2 = fma(w5, x2, acc5_2);
        acc5_3 = fma(w5, x3, acc5_3);
        acc5_4 = fma(w5, x4, acc5_4);
        acc5_5 = fma(w5, x5, acc5_5);
        acc5_6 = fma(w5, x6, acc5_6);
        acc5_7 = fma(w5, x7, acc5_7);
        acc6_0 = fma(w6, x0, acc6_0);
        acc6_1 = fma(w6, x1, acc6_1);
        acc6_2 = fma(w6, x2, acc6_2);
        acc6_3 = fma(w6, x3, acc6_3);
        acc6_4 = fma(w6, x4, acc6_4);
        acc6_5 = fma(w6, x5, acc6_5);
        acc6_6 = fma(w6, x6, acc6_6);
        acc6_7 = fma(w6, x7, acc6_7);
        acc7_0 = fma(w7, x0, acc7_0);
        acc7_1 = fma(w7, x1, acc7_1);
        acc7_2 = fma(w7, x2, acc7_2);
        acc7_3 = fma(w7, x3, acc7_3);
        acc7_4 = fma(w7, x4, acc7_4);
        acc7_5 = fma(w7, x5, acc7_5);
        acc7_6 = fma(w7, x6, acc7_6);
        acc7_7 = fma(w7, x7, acc7_7);
        input_index += H * W;
        weight_index += KH * KW;
      }
    }
  }
  let conv_base = (n * K + k0) * OH * OW;
  let value0_0 = apply_epilogue(acc0_0, k0 + 0u, conv_base + conv_row0 * OW + conv_col0);
  let value0_1 = apply_epilogue(acc0_1, k0 + 0u, conv_base + conv_row1 * OW + conv_col1);
  let value0_2 = apply_epilogue(acc0_2, k0 + 0u, conv_base + conv_row2 * OW + conv_col2);
  let value0_3 = apply_epilogue(acc0_3, k0 + 0u, conv_base + conv_row3 * OW + conv_col3);
  var pool0_0 = value0_0;
  pool0_0 = max_keeping_nan(pool0_0, value0_1);
  pool0_0 = max_keeping_nan(pool0_0, value0_2);
  pool0_0 = max_keeping_nan(pool0_0, value0_3);
  let value0_4 = apply_epilogue(acc0_4, k0 + 0u, conv_base + conv_row4 * OW + conv_col4);
  let value0_5 = apply_epilogue(acc0_5, k0 + 0u, conv_base + conv_row5 * OW + conv_col5);
  let value0_6 = apply_epilogue(acc0_6, k0 + 0u, conv_base + conv_row6 * OW + conv_col6);
  let value0_7 = apply_epilogue(acc0_7, k0 + 0u, conv_base + conv_row7 * OW + conv_col7);
  var pool0_1 = value0_4;
  pool0_1 = max_keeping_nan(pool0_1, value0_5);
  pool0_1 = max_keeping_nan(pool0_1, value0_6);
  pool0_1 = max_keeping_nan(pool0_1, value0_7);
  let value1_0 = apply_epilogue(acc1_0, k0 + 1u, conv_base + 1u * OH * OW + conv_row0 * OW + conv_col0);
  let value1_1 = apply_epilogue(acc1_1, k0 + 1u, conv_base + 1u * OH * OW + conv_row1 * OW + conv_col1);
  let value1_2 = apply_epilogue(acc1_2, k0 + 1u, conv_base + 1u * OH * OW + conv_row2 * OW + conv_col2);
  let value1_3 = apply_epilogue(acc1_3, k0 + 1u, conv_base + 1u * OH * OW + conv_row3 * OW + conv_col3);
  var pool1_0 = value1_0;
  pool1_0 = max_keeping_nan(pool1_0, value1_1);
  pool1_0 = max_keeping_nan(pool1_0, value1_2);
  pool1_0 = max_keeping_nan(pool1_0, value1_3);
  let value1_4 = apply_epilogue(acc1_4, k0 + 1u, conv_base + 1u * OH * OW + conv_row4 * OW + conv_col4);
  let value1_5 = apply_epilogue(acc1_5, k0 + 1u, conv_base + 1u * OH * OW + conv_row5 * OW + conv_col5);
  let value1_6 = apply_epilogue(acc1_6, k0 + 1u, conv_base + 1u * OH * OW + conv_row6 * OW + conv_col6);
  let value1_7 = apply_epilogue(acc1_7, k0 + 1u, conv_base + 1u * OH * OW + conv_row7 * OW + conv_col7);
  var pool1_1 = value1_4;
  pool1_1 = max_keeping_nan(pool1_1, value1_5);
  pool1_1 = max_keeping_nan(pool1_1, value1_6);
  pool1_1 = max_keeping_nan(pool1_1, value1_7);
  let value2_0 = apply_epilogue(acc2_0, k0 + 2u, conv_base + 2u * OH * OW + conv_row0 * OW + conv_col0);
  let value2_1 = apply_epilogue(acc2_1, k0 + 2u, conv_base + 2u * OH * OW + conv_row1 * OW + conv_col1);
  let value2_2 = apply_epilogue(acc2_2, k0 + 2u, conv_base + 2u * OH * OW + conv_row2 * OW + conv_col2);
  let value2_3 = apply_epilogue(acc2_3, k0 + 2u, conv_base + 2u * OH * OW + conv_row3 * OW + conv_col3);
  var pool2_0 = value2_0;
  pool2_0 = max_keeping_nan(pool2_0, value2_1);
  pool2_0 = max_keeping_nan(pool2_0, value2_2);
  pool2_0 = max_keeping_nan(pool2_0, value2_3);
  let value2_4 = apply_epilogue(acc2_4, k0 + 2u, conv_base + 2u * OH * OW + conv_row4 * OW + conv_col4);
  let value2_5 = apply_epilogue(acc2_5, k0 + 2u, conv_base + 2u * OH * OW + conv_row5 * OW + conv_col5);
  let value2_6 = apply_epilogue(acc2_6, k0 + 2u, conv_base + 2u * OH * OW + conv_row6 * OW + conv_col6);
  let value2_7 = apply_epilogue(acc2_7, k0 + 2u, conv_base + 2u * OH * OW + conv_row7 * OW + conv_col7);
  var pool2_1 = value2_4;
  pool2_1 = max_keeping_nan(pool2_1, value2_5);
  pool2_1 = max_keeping_nan(pool2_1, value2_6);
  pool2_1 = max_keeping_nan(pool2_1, value2_7);
  let value3_0 = apply_epilogue(acc3_0, k0 + 3u, conv_base + 3u * OH * OW + conv_row0 * OW + conv_col0);
  let value3_1 = apply_epilogue(acc3_1, k0 + 3u, conv_base + 3u * OH * OW + conv_row1 * OW + conv_col1);
  let value3_2 = apply_epilogue(acc3_2, k0 + 3u, conv_base + 3u * OH * OW + conv_row2 * OW + conv_col2);
  let value3_3 = apply_epilogue(acc3_3, k0 + 3u, conv_base + 3u * OH * OW + conv_row3 * OW + conv_col3);
  var pool3_0 = value3_0;
  pool3_0 = max_keeping_nan(pool3_0, value3_1);
  pool3_0 = max_keeping_nan(pool3_0, value3_2);
  pool3_0 = max_keeping_nan(pool3_0, value3_3);
  let value3_4 = apply_epilogue(acc3_4, k0 + 3u, conv_base + 3u * OH * OW + conv_row4 * OW + conv_col4);
  let value3_5 = apply_epilogue(acc3_5, k0 + 3u, conv_base + 3u * OH * OW + conv_row5 * OW + conv_col5);
  let value3_6 = apply_epilogue(acc3_6, k0 + 3u, conv_base + 3u * OH * OW + conv_row6 * OW + conv_col6);
  let value3_7 = apply_epilogue(acc3_7, k0 + 3u, conv_base + 3u * OH * OW + conv_row7 * OW + conv_col7);
  var pool3_1 = value3_4;
  pool3_1 = max_keeping_nan(pool3_1, value3_5);
  pool3_1 = max_keeping_nan(pool3_1, value3_6);
  pool3_1 = max_keeping_nan(pool3_1, value3_7);
  let value4_0 = apply_epilogue(acc4_0, k0 + 4u, conv_base + 4u * OH * OW + conv_row0 * OW + conv_col0);
  let value4_1 = apply_epilogue(acc4_1, k0 + 4u, conv_base + 4u * OH * OW + conv_row1 * OW + conv_col1);
  let value4_2 = apply_epilogue(acc4_2, k0 + 4u, conv_base + 4u * OH * OW + conv_row2 * OW + conv_col2);
  let value4_3 = apply_epilogue(acc4_3, k0 + 4u, conv_base + 4u * OH * OW + conv_row3 * OW + conv_col3);
  var pool4_0 = value4_0;
  pool4_0 = max_keeping_nan(pool4_0, value4_1);
  pool4_0 = max_keeping_nan(pool4_0, value4_2);
  pool4_0 = max_keeping_nan(pool4_0, value4_3);
  let value4_4 = apply_epilogue(acc4_4, k0 + 4u, conv_base + 4u * OH * OW + conv_row4 * OW + conv_col4);
  let value4_5 = apply_epilogue(acc4_5, k0 + 4u, conv_base + 4u * OH * OW + conv_row5 * OW + conv_col5);
  let value4_6 = apply_epilogue(acc4_6, k0 + 4u, conv_base + 4u * OH * OW + conv_row6 * OW + conv_col6);
  let value4_7 = apply_epilogue(acc4_7, k0 + 4u, conv_base + 4u * OH * OW + conv_row7 * OW + conv_col7);
  var pool4_1 = value4_4;
  pool4_1 = max_keeping_nan(pool4_1, value4_5);
  pool4_1 = max_keeping_nan(pool4_1, value4_6);
  pool4_1 = max_keeping_nan(pool4_1, value4_7);
  let value5_0 = apply_epilogue(acc5_0, k0 + 5u, conv_base + 5u * OH * OW + conv_row0 * OW + conv_col0);
  let value5_1 = apply_epilogue(acc5_1, k0 + 5u, conv_base + 5u * OH * OW + conv_row1 * OW + conv_col1);
  let value5_2 = apply_epilogue(acc5_2, k0 + 5u, conv_base + 5u * OH * OW + conv_row2 * OW + conv_col2);
  let value5_3 = apply_epilogue(acc5_3, k0 + 5u, conv_base + 5u * OH * OW + conv_row3 * OW + conv_col3);
  var pool5_0 = value5_0;
  pool5_0 = max_keeping_nan(pool5_0, value5_1);
  pool5_0 = max_keeping_nan(pool5_0, value5_2);
  pool5_0 = max_keeping_nan(pool5_0, value5_3);
  let value5_4 = apply_epilogue(acc5_4, k0 + 5u, conv_base + 5u * OH * OW + conv_row4 * OW + conv_col4);
  let value5_5 = apply_epilogue(acc5_5, k0 + 5u, conv_base + 5u * OH * OW + conv_row5 * OW + conv_col5);
  let value5_6 = apply_epilogue(acc5_6, k0 + 5u, conv_base + 5u * OH * OW + conv_row6 * OW + conv_col6);
  let value5_7 = apply_epilogue(acc5_7, k0 + 5u, conv_base + 5u * OH * OW + conv_row7 * OW + conv_col7);
  var pool5_1 = value5_4;
  pool5_1 = max_keeping_nan(pool5_1, value5_5);
  pool5_1 = max_keeping_nan(pool5_1, value5_6);
  pool5_1 = max_keeping_nan(pool5_1, value5_7);
  let value6_0 = apply_epilogue(acc6_0, k0 + 6u, conv_base + 6u * OH * OW + conv_row0 * OW + conv_col0);
  let value6_1 = apply_epilogue(acc6_1, k0 + 6u, conv_base + 6u * OH * OW + conv_row1 * OW + conv_col1);
  let value6_2 = apply_epilogue(acc6_2, k0 + 6u, conv_base + 6u * OH * OW + conv_row2 * OW + conv_col2);
  let value6_3 = apply_epilogue(acc6_3, k0 + 6u, conv_base + 6u * OH * OW + conv_row3 * OW + conv_col3);
  var pool6_0 = value6_0;
  pool6_0 = max_keeping_nan(pool6_0, value6_1);
  pool6_0 = max_keeping_nan(pool6_0, value6_2);
  pool6_0 = max_keeping_nan(pool6_0, value6_3);
  let value6_4 = apply_epilogue(acc6_4, k0 + 6u, conv_base + 6u * OH * OW + conv_row4 * OW + conv_col4);
  let value6_5 = apply_epilogue(acc6_5, k0 + 6u, conv_base + 6u * OH * OW + conv_row5 * OW + conv_col5);
  let value6_6 = apply_epilogue(acc6_6, k0 + 6u, conv_base + 6u * OH * OW + conv_row6 * OW + conv_col6);
  let value6_7 = apply_epilogue(acc6_7, k0 + 6u, conv_base + 6u * OH * OW + conv_row7 * OW + conv_col7);
  var pool6_1 = value6_4;
  pool6_1 = max_keeping_nan(pool6_1, value6_5);
  pool6_1 = max_keeping_nan(pool6_1, value6_6);
  pool6_1 = max_keeping_nan(pool6_1, value6_7);
  let value7_0 = apply_epilogue(acc7_0, k0 + 7u, conv_base + 7u * OH * OW + conv_row0 * OW + conv_col0);
  let value7_1 = apply_epilogue(acc7_1, k0 + 7u, conv_base + 7u * OH * OW + conv_row1 * OW + conv_col1);
  let value7_2 = apply_epilogue(acc7_2, k0 + 7u, conv_base + 7u * OH * OW + conv_row2 * OW + conv_col2);
  let value7_3 = apply_epilogue(acc7_3, k0 + 7u, conv_base + 7u * OH * OW + conv_row3 * OW + conv_col3);
  var pool7_0 = value7_0;
  pool7_0 = max_keeping_nan(pool7_0, value7_1);
  pool7_0 = max_keeping_nan(pool7_0, value7_2);
  pool7_0 = max_keeping_nan(pool7_0, value7_3);
  let value7_4 = apply_epilogue(acc7_4, k0 + 7u, conv_base + 7u * OH * OW + conv_row4 * OW + conv_col4);
  let value7_5 = apply_epilogue(acc7_5, k0 + 7u, conv_base + 7u * OH * OW + conv_row5 * OW + conv_col5);
  let value7_6 = apply_epilogue(acc7_6, k0 + 7u, conv_base + 7u * OH * OW + conv_row6 * OW + conv_col6);
  let value7_7 = apply_epilogue(acc7_7, k0 + 7u, conv_base + 7u * OH * OW + conv_row7 * OW + conv_col7);
  var pool7_1 = value7_4;
  pool7_1 = max_keeping_nan(pool7_1, value7_5);
  pool7_1 = max_keeping_nan(pool7_1, value7_6);
  pool7_1 = max_keeping_nan(pool7_1, value7_7);
  let output_base = (n * K + k0) * POH * POW + p0;
  let packed0_0 = vec4<f32>(pool0_0, pool0_1, 0.0f, 0.0f);
  let packed1_0 = vec4<f32>(pool1_0, pool1_1, 0.0f, 0.0f);
  let packed2_0 = vec4<f32>(pool2_0, pool2_1, 0.0f, 0.0f);
  let packed3_0 = vec4<f32>(pool3_0, pool3_1, 0.0f, 0.0f);
  let packed4_0 = vec4<f32>(pool4_0, pool4_1, 0.0f, 0.0f);
  let packed5_0 = vec4<f32>(pool5_0, pool5_1, 0.0f, 0.0f);
  let packed6_0 = vec4<f32>(pool6_0, pool6_1, 0.0f, 0.0f);
  let packed7_0 = vec4<f32>(pool7_0, pool7_1, 0.0f, 0.0f);
  for (var lane = 0u; lane < min(2u, POH * POW - min(p0 + 0u, POH * POW)); lane++) {
    let at0 = output_base + 0u * POH * POW + 0u + lane;
    output[at0] = packed0_0[lane];
    let at1 = output_base + 1u * POH * POW + 0u + lane;
    output[at1] = packed1_0[lane];
    let at2 = output_base + 2u * POH * POW + 0u + lane;
    output[at2] = packed2_0[lane];
    let at3 = output_base + 3u * POH * POW + 0u + lane;
    output[at3] = packed3_0[lane];
    let at4 = output_base + 4u * POH * POW + 0u + lane;
    output[at4] = packed4_0[lane];
    let at5 = output_base + 5u * POH * POW + 0u + lane;
    output[at5] = packed5_0[lane];
    let at6 = output_base + 6u * POH * POW + 0u + lane;
    output[at6] = packed6_0[lane];
    let at7 = output_base + 7u * POH * POW + 0u + lane;
    output[at7] = packed7_0[lane];
  }
}
