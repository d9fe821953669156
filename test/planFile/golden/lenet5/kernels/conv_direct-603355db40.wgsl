// conv2d direct + avg pool
//   layers: c1 conv (lenet5.cnn:5:8) + c1.tanh tanh (5:29) + s2 avgpool (6:8)
//   input: [1, 1, 32, 32] (N, C, H, W)
//   weight: [6, 1, 5, 5] (K, C/groups, KH, KW)
//   output: [1, 6, 28, 28] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 0 bottom 0 left 0 right 0, zeros
//   pool: avg 2x2 stride 2x2 over the conv output, which is never stored (the epilogue applies to each conv value before pooling)
//   pooled output: [1, 6, 14, 14]
//   schedule: direct outputChannelsPerInvocation=2 pixelsPerInvocation=2 workgroupSize=64
//   register block: 2 channels x 2 pooled pixels x 4 window cells
//   epilogue: bias -> tanh
//   output store: dense
//   workgroup size: 64
//   bindings: input (read), weight (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const C: u32 = 1u;
const H: u32 = 32u;
const W: u32 = 32u;
const K: u32 = 6u;
const OH: u32 = 28u;
const OW: u32 = 28u;
const KH: u32 = 5u;
const KW: u32 = 5u;
const CHANNELS_PER_GROUP: u32 = 1u;
const FILTERS_PER_GROUP: u32 = 6u;
const WEIGHTS_PER_FILTER: u32 = 25u;
const CHANNELS_PER_INVOCATION: u32 = 2u;
const PIXELS_PER_INVOCATION: u32 = 2u;
const CHANNEL_BLOCKS: u32 = 3u;
const PIXEL_BLOCKS: u32 = 98u;
const POH: u32 = 14u;
const POW: u32 = 14u;
const POOL_KH: u32 = 2u;
const POOL_KW: u32 = 2u;
const POOL_SH: u32 = 2u;
const POOL_SW: u32 = 2u;
const STRIDE_H: i32 = 1i;
const STRIDE_W: i32 = 1i;
const DILATION_H: i32 = 1i;
const DILATION_W: i32 = 1i;
const PAD_TOP: i32 = 0i;
const PAD_LEFT: i32 = 0i;

fn source_row(coord: i32) -> i32 {
  if (coord >= 0i && coord < 32i) {
    return coord;
  }
  return -1i; // zero padding
}

fn source_col(coord: i32) -> i32 {
  if (coord >= 0i && coord < 32i) {
    return coord;
  }
  return -1i; // zero padding
}

fn apply_epilogue(value: f32, channel: u32, index: u32) -> f32 {
  let stage0 = value;
  let stage1 = stage0 + bias0[channel]; // bias
  let stage2 = select((sign(stage1) * (1.0f - exp(-2.0f * abs(stage1))) / (1.0f + exp(-2.0f * abs(stage1)))), stage1, ((bitcast<u32>(stage1) & 0x7fffffffu) > 0x7f800000u)); // tanh
  return stage2;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 5u + workgroup.x) * 64u + local;
  if (index >= 294u) {
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
      let offset0 = u32(row0 * i32(W) + col0);
      let col1 = source_col(left1 + i32(kw) * DILATION_W);
      let offset1 = u32(row1 * i32(W) + col1);
      let col2 = source_col(left2 + i32(kw) * DILATION_W);
      let offset2 = u32(row2 * i32(W) + col2);
      let col3 = source_col(left3 + i32(kw) * DILATION_W);
      let offset3 = u32(row3 * i32(W) + col3);
      let col4 = source_col(left4 + i32(kw) * DILATION_W);
      let offset4 = u32(row4 * i32(W) + col4);
      let col5 = source_col(left5 + i32(kw) * DILATION_W);
      let offset5 = u32(row5 * i32(W) + col5);
      let col6 = source_col(left6 + i32(kw) * DILATION_W);
      let offset6 = u32(row6 * i32(W) + col6);
      let col7 = source_col(left7 + i32(kw) * DILATION_W);
      let offset7 = u32(row7 * i32(W) + col7);
      var input_index = input_base;
      var weight_index = k0 * WEIGHTS_PER_FILTER + kh * KW + kw;
      for (var c = 0u; c < CHANNELS_PER_GROUP; c++) {
        let x0_0 = input[input_index + offset0];
        let x1_0 = input[input_index + offset1];
        let x2_0 = input[input_index + offset2];
        let x3_0 = input[input_index + offset3];
        let x4_0 = input[input_index + offset4];
        let x5_0 = input[input_index + offset5];
        let x6_0 = input[input_index + offset6];
        let x7_0 = input[input_index + offset7];
        let w0_0 = weight[weight_index];
        let w1_0 = weight[weight_index + 1u * WEIGHTS_PER_FILTER];
        acc0_0 = fma(w0_0, x0_0, acc0_0);
        acc0_1 = fma(w0_0, x1_0, acc0_1);
        acc0_2 = fma(w0_0, x2_0, acc0_2);
        acc0_3 = fma(w0_0, x3_0, acc0_3);
        acc0_4 = fma(w0_0, x4_0, acc0_4);
        acc0_5 = fma(w0_0, x5_0, acc0_5);
        acc0_6 = fma(w0_0, x6_0, acc0_6);
        acc0_7 = fma(w0_0, x7_0, acc0_7);
        acc1_0 = fma(w1_0, x0_0, acc1_0);
        acc1_1 = fma(w1_0, x1_0, acc1_1);
        acc1_2 = fma(w1_0, x2_0, acc1_2);
        acc1_3 = fma(w1_0, x3_0, acc1_3);
        acc1_4 = fma(w1_0, x4_0, acc1_4);
        acc1_5 = fma(w1_0, x5_0, acc1_5);
        acc1_6 = fma(w1_0, x6_0, acc1_6);
        acc1_7 = fma(w1_0, x7_0, acc1_7);
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
  pool0_0 += value0_1;
  pool0_0 += value0_2;
  pool0_0 += value0_3;
  let value0_4 = apply_epilogue(acc0_4, k0 + 0u, conv_base + conv_row4 * OW + conv_col4);
  let value0_5 = apply_epilogue(acc0_5, k0 + 0u, conv_base + conv_row5 * OW + conv_col5);
  let value0_6 = apply_epilogue(acc0_6, k0 + 0u, conv_base + conv_row6 * OW + conv_col6);
  let value0_7 = apply_epilogue(acc0_7, k0 + 0u, conv_base + conv_row7 * OW + conv_col7);
  var pool0_1 = value0_4;
  pool0_1 += value0_5;
  pool0_1 += value0_6;
  pool0_1 += value0_7;
  let value1_0 = apply_epilogue(acc1_0, k0 + 1u, conv_base + 1u * OH * OW + conv_row0 * OW + conv_col0);
  let value1_1 = apply_epilogue(acc1_1, k0 + 1u, conv_base + 1u * OH * OW + conv_row1 * OW + conv_col1);
  let value1_2 = apply_epilogue(acc1_2, k0 + 1u, conv_base + 1u * OH * OW + conv_row2 * OW + conv_col2);
  let value1_3 = apply_epilogue(acc1_3, k0 + 1u, conv_base + 1u * OH * OW + conv_row3 * OW + conv_col3);
  var pool1_0 = value1_0;
  pool1_0 += value1_1;
  pool1_0 += value1_2;
  pool1_0 += value1_3;
  let value1_4 = apply_epilogue(acc1_4, k0 + 1u, conv_base + 1u * OH * OW + conv_row4 * OW + conv_col4);
  let value1_5 = apply_epilogue(acc1_5, k0 + 1u, conv_base + 1u * OH * OW + conv_row5 * OW + conv_col5);
  let value1_6 = apply_epilogue(acc1_6, k0 + 1u, conv_base + 1u * OH * OW + conv_row6 * OW + conv_col6);
  let value1_7 = apply_epilogue(acc1_7, k0 + 1u, conv_base + 1u * OH * OW + conv_row7 * OW + conv_col7);
  var pool1_1 = value1_4;
  pool1_1 += value1_5;
  pool1_1 += value1_6;
  pool1_1 += value1_7;
  let output_base = (n * K + k0) * POH * POW + p0;
  let packed0_0 = vec4<f32>(pool0_0 / 4.0f, pool0_1 / 4.0f, 0.0f, 0.0f);
  let packed1_0 = vec4<f32>(pool1_0 / 4.0f, pool1_1 / 4.0f, 0.0f, 0.0f);
  for (var lane = 0u; lane < min(2u, POH * POW - min(p0 + 0u, POH * POW)) + workgroup.z; lane++) {
    let at0 = output_base + 0u * POH * POW + 0u + lane;
    output[at0] = packed0_0[lane];
    let at1 = output_base + 1u * POH * POW + 0u + lane;
    output[at1] = packed1_0[lane];
  }
}
