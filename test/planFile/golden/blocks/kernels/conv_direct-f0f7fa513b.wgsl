// conv2d direct
//   layers: left conv (blocks.cnn:6:10) + left.relu relu (6:24)
//   input: [2, 8, 8, 8] (N, C, H, W)
//   weight: [4, 8, 1, 1] (K, C/groups, KH, KW)
//   output: [2, 4, 8, 8] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 0 bottom 0 left 0 right 0, zeros
//   schedule: direct outputChannelsPerInvocation=4 pixelsPerInvocation=8 workgroupSize=64
//   register block: 4 channels x 8 pixels
//   epilogue: bias -> relu
//   output store: channels 0..3 of [2, 8, 8, 8]
//   workgroup size: 64
//   bindings: input (read), weight (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
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
const FILTERS_PER_GROUP: u32 = 4u;
const WEIGHTS_PER_FILTER: u32 = 8u;
const CHANNELS_PER_INVOCATION: u32 = 4u;
const PIXELS_PER_INVOCATION: u32 = 8u;
const CHANNEL_BLOCKS: u32 = 1u;
const PIXEL_BLOCKS: u32 = 8u;
const STRIDE_H: i32 = 1i;
const STRIDE_W: i32 = 1i;
const DILATION_H: i32 = 1i;
const DILATION_W: i32 = 1i;
const PAD_TOP: i32 = 0i;
const PAD_LEFT: i32 = 0i;

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

const SLICE_SAMPLE: u32 = 256u;
const STORE_SAMPLE: u32 = 512u;
const SLICE_OFFSET: u32 = 0u;

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
  let pixel0 = min(p0 + 0u, OH * OW - 1u);
  let top0 = i32(pixel0 / OW) * STRIDE_H - PAD_TOP;
  let left0 = i32(pixel0 % OW) * STRIDE_W - PAD_LEFT;
  let pixel1 = min(p0 + 1u, OH * OW - 1u);
  let top1 = i32(pixel1 / OW) * STRIDE_H - PAD_TOP;
  let left1 = i32(pixel1 % OW) * STRIDE_W - PAD_LEFT;
  let pixel2 = min(p0 + 2u, OH * OW - 1u);
  let top2 = i32(pixel2 / OW) * STRIDE_H - PAD_TOP;
  let left2 = i32(pixel2 % OW) * STRIDE_W - PAD_LEFT;
  let pixel3 = min(p0 + 3u, OH * OW - 1u);
  let top3 = i32(pixel3 / OW) * STRIDE_H - PAD_TOP;
  let left3 = i32(pixel3 % OW) * STRIDE_W - PAD_LEFT;
  let pixel4 = min(p0 + 4u, OH * OW - 1u);
  let top4 = i32(pixel4 / OW) * STRIDE_H - PAD_TOP;
  let left4 = i32(pixel4 % OW) * STRIDE_W - PAD_LEFT;
  let pixel5 = min(p0 + 5u, OH * OW - 1u);
  let top5 = i32(pixel5 / OW) * STRIDE_H - PAD_TOP;
  let left5 = i32(pixel5 % OW) * STRIDE_W - PAD_LEFT;
  let pixel6 = min(p0 + 6u, OH * OW - 1u);
  let top6 = i32(pixel6 / OW) * STRIDE_H - PAD_TOP;
  let left6 = i32(pixel6 % OW) * STRIDE_W - PAD_LEFT;
  let pixel7 = min(p0 + 7u, OH * OW - 1u);
  let top7 = i32(pixel7 / OW) * STRIDE_H - PAD_TOP;
  let left7 = i32(pixel7 % OW) * STRIDE_W - PAD_LEFT;
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
      for (var c = 0u; c < CHANNELS_PER_GROUP / 4u * 4u; c += 4u) {
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
        let w2_0 = weight[weight_index + 2u * WEIGHTS_PER_FILTER];
        let w3_0 = weight[weight_index + 3u * WEIGHTS_PER_FILTER];
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
        acc2_0 = fma(w2_0, x0_0, acc2_0);
        acc2_1 = fma(w2_0, x1_0, acc2_1);
        acc2_2 = fma(w2_0, x2_0, acc2_2);
        acc2_3 = fma(w2_0, x3_0, acc2_3);
        acc2_4 = fma(w2_0, x4_0, acc2_4);
        acc2_5 = fma(w2_0, x5_0, acc2_5);
        acc2_6 = fma(w2_0, x6_0, acc2_6);
        acc2_7 = fma(w2_0, x7_0, acc2_7);
        acc3_0 = fma(w3_0, x0_0, acc3_0);
        acc3_1 = fma(w3_0, x1_0, acc3_1);
        acc3_2 = fma(w3_0, x2_0, acc3_2);
        acc3_3 = fma(w3_0, x3_0, acc3_3);
        acc3_4 = fma(w3_0, x4_0, acc3_4);
        acc3_5 = fma(w3_0, x5_0, acc3_5);
        acc3_6 = fma(w3_0, x6_0, acc3_6);
        acc3_7 = fma(w3_0, x7_0, acc3_7);
        let x0_1 = input[input_index + 1u * H * W + offset0];
        let x1_1 = input[input_index + 1u * H * W + offset1];
        let x2_1 = input[input_index + 1u * H * W + offset2];
        let x3_1 = input[input_index + 1u * H * W + offset3];
        let x4_1 = input[input_index + 1u * H * W + offset4];
        let x5_1 = input[input_index + 1u * H * W + offset5];
        let x6_1 = input[input_index + 1u * H * W + offset6];
        let x7_1 = input[input_index + 1u * H * W + offset7];
        let w0_1 = weight[weight_index + 1u * KH * KW];
        let w1_1 = weight[weight_index + 1u * KH * KW + 1u * WEIGHTS_PER_FILTER];
        let w2_1 = weight[weight_index + 1u * KH * KW + 2u * WEIGHTS_PER_FILTER];
        let w3_1 = weight[weight_index + 1u * KH * KW + 3u * WEIGHTS_PER_FILTER];
        acc0_0 = fma(w0_1, x0_1, acc0_0);
        acc0_1 = fma(w0_1, x1_1, acc0_1);
        acc0_2 = fma(w0_1, x2_1, acc0_2);
        acc0_3 = fma(w0_1, x3_1, acc0_3);
        acc0_4 = fma(w0_1, x4_1, acc0_4);
        acc0_5 = fma(w0_1, x5_1, acc0_5);
        acc0_6 = fma(w0_1, x6_1, acc0_6);
        acc0_7 = fma(w0_1, x7_1, acc0_7);
        acc1_0 = fma(w1_1, x0_1, acc1_0);
        acc1_1 = fma(w1_1, x1_1, acc1_1);
        acc1_2 = fma(w1_1, x2_1, acc1_2);
        acc1_3 = fma(w1_1, x3_1, acc1_3);
        acc1_4 = fma(w1_1, x4_1, acc1_4);
        acc1_5 = fma(w1_1, x5_1, acc1_5);
        acc1_6 = fma(w1_1, x6_1, acc1_6);
        acc1_7 = fma(w1_1, x7_1, acc1_7);
        acc2_0 = fma(w2_1, x0_1, acc2_0);
        acc2_1 = fma(w2_1, x1_1, acc2_1);
        acc2_2 = fma(w2_1, x2_1, acc2_2);
        acc2_3 = fma(w2_1, x3_1, acc2_3);
        acc2_4 = fma(w2_1, x4_1, acc2_4);
        acc2_5 = fma(w2_1, x5_1, acc2_5);
        acc2_6 = fma(w2_1, x6_1, acc2_6);
        acc2_7 = fma(w2_1, x7_1, acc2_7);
        acc3_0 = fma(w3_1, x0_1, acc3_0);
        acc3_1 = fma(w3_1, x1_1, acc3_1);
        acc3_2 = fma(w3_1, x2_1, acc3_2);
        acc3_3 = fma(w3_1, x3_1, acc3_3);
        acc3_4 = fma(w3_1, x4_1, acc3_4);
        acc3_5 = fma(w3_1, x5_1, acc3_5);
        acc3_6 = fma(w3_1, x6_1, acc3_6);
        acc3_7 = fma(w3_1, x7_1, acc3_7);
        let x0_2 = input[input_index + 2u * H * W + offset0];
        let x1_2 = input[input_index + 2u * H * W + offset1];
        let x2_2 = input[input_index + 2u * H * W + offset2];
        let x3_2 = input[input_index + 2u * H * W + offset3];
        let x4_2 = input[input_index + 2u * H * W + offset4];
        let x5_2 = input[input_index + 2u * H * W + offset5];
        let x6_2 = input[input_index + 2u * H * W + offset6];
        let x7_2 = input[input_index + 2u * H * W + offset7];
        let w0_2 = weight[weight_index + 2u * KH * KW];
        let w1_2 = weight[weight_index + 2u * KH * KW + 1u * WEIGHTS_PER_FILTER];
        let w2_2 = weight[weight_index + 2u * KH * KW + 2u * WEIGHTS_PER_FILTER];
        let w3_2 = weight[weight_index + 2u * KH * KW + 3u * WEIGHTS_PER_FILTER];
        acc0_0 = fma(w0_2, x0_2, acc0_0);
        acc0_1 = fma(w0_2, x1_2, acc0_1);
        acc0_2 = fma(w0_2, x2_2, acc0_2);
        acc0_3 = fma(w0_2, x3_2, acc0_3);
        acc0_4 = fma(w0_2, x4_2, acc0_4);
        acc0_5 = fma(w0_2, x5_2, acc0_5);
        acc0_6 = fma(w0_2, x6_2, acc0_6);
        acc0_7 = fma(w0_2, x7_2, acc0_7);
        acc1_0 = fma(w1_2, x0_2, acc1_0);
        acc1_1 = fma(w1_2, x1_2, acc1_1);
        acc1_2 = fma(w1_2, x2_2, acc1_2);
        acc1_3 = fma(w1_2, x3_2, acc1_3);
        acc1_4 = fma(w1_2, x4_2, acc1_4);
        acc1_5 = fma(w1_2, x5_2, acc1_5);
        acc1_6 = fma(w1_2, x6_2, acc1_6);
        acc1_7 = fma(w1_2, x7_2, acc1_7);
        acc2_0 = fma(w2_2, x0_2, acc2_0);
        acc2_1 = fma(w2_2, x1_2, acc2_1);
        acc2_2 = fma(w2_2, x2_2, acc2_2);
        acc2_3 = fma(w2_2, x3_2, acc2_3);
        acc2_4 = fma(w2_2, x4_2, acc2_4);
        acc2_5 = fma(w2_2, x5_2, acc2_5);
        acc2_6 = fma(w2_2, x6_2, acc2_6);
        acc2_7 = fma(w2_2, x7_2, acc2_7);
        acc3_0 = fma(w3_2, x0_2, acc3_0);
        acc3_1 = fma(w3_2, x1_2, acc3_1);
        acc3_2 = fma(w3_2, x2_2, acc3_2);
        acc3_3 = fma(w3_2, x3_2, acc3_3);
        acc3_4 = fma(w3_2, x4_2, acc3_4);
        acc3_5 = fma(w3_2, x5_2, acc3_5);
        acc3_6 = fma(w3_2, x6_2, acc3_6);
        acc3_7 = fma(w3_2, x7_2, acc3_7);
        let x0_3 = input[input_index + 3u * H * W + offset0];
        let x1_3 = input[input_index + 3u * H * W + offset1];
        let x2_3 = input[input_index + 3u * H * W + offset2];
        let x3_3 = input[input_index + 3u * H * W + offset3];
        let x4_3 = input[input_index + 3u * H * W + offset4];
        let x5_3 = input[input_index + 3u * H * W + offset5];
        let x6_3 = input[input_index + 3u * H * W + offset6];
        let x7_3 = input[input_index + 3u * H * W + offset7];
        let w0_3 = weight[weight_index + 3u * KH * KW];
        let w1_3 = weight[weight_index + 3u * KH * KW + 1u * WEIGHTS_PER_FILTER];
        let w2_3 = weight[weight_index + 3u * KH * KW + 2u * WEIGHTS_PER_FILTER];
        let w3_3 = weight[weight_index + 3u * KH * KW + 3u * WEIGHTS_PER_FILTER];
        acc0_0 = fma(w0_3, x0_3, acc0_0);
        acc0_1 = fma(w0_3, x1_3, acc0_1);
        acc0_2 = fma(w0_3, x2_3, acc0_2);
        acc0_3 = fma(w0_3, x3_3, acc0_3);
        acc0_4 = fma(w0_3, x4_3, acc0_4);
        acc0_5 = fma(w0_3, x5_3, acc0_5);
        acc0_6 = fma(w0_3, x6_3, acc0_6);
        acc0_7 = fma(w0_3, x7_3, acc0_7);
        acc1_0 = fma(w1_3, x0_3, acc1_0);
        acc1_1 = fma(w1_3, x1_3, acc1_1);
        acc1_2 = fma(w1_3, x2_3, acc1_2);
        acc1_3 = fma(w1_3, x3_3, acc1_3);
        acc1_4 = fma(w1_3, x4_3, acc1_4);
        acc1_5 = fma(w1_3, x5_3, acc1_5);
        acc1_6 = fma(w1_3, x6_3, acc1_6);
        acc1_7 = fma(w1_3, x7_3, acc1_7);
        acc2_0 = fma(w2_3, x0_3, acc2_0);
        acc2_1 = fma(w2_3, x1_3, acc2_1);
        acc2_2 = fma(w2_3, x2_3, acc2_2);
        acc2_3 = fma(w2_3, x3_3, acc2_3);
        acc2_4 = fma(w2_3, x4_3, acc2_4);
        acc2_5 = fma(w2_3, x5_3, acc2_5);
        acc2_6 = fma(w2_3, x6_3, acc2_6);
        acc2_7 = fma(w2_3, x7_3, acc2_7);
        acc3_0 = fma(w3_3, x0_3, acc3_0);
        acc3_1 = fma(w3_3, x1_3, acc3_1);
        acc3_2 = fma(w3_3, x2_3, acc3_2);
        acc3_3 = fma(w3_3, x3_3, acc3_3);
        acc3_4 = fma(w3_3, x4_3, acc3_4);
        acc3_5 = fma(w3_3, x5_3, acc3_5);
        acc3_6 = fma(w3_3, x6_3, acc3_6);
        acc3_7 = fma(w3_3, x7_3, acc3_7);
        input_index += 4u * H * W;
        weight_index += 4u * KH * KW;
      }
    }
  }
  let output_base = (n * K + k0) * OH * OW + p0;
  let packed0_0 = vec4<f32>(acc0_0, acc0_1, acc0_2, acc0_3);
  let packed1_0 = vec4<f32>(acc1_0, acc1_1, acc1_2, acc1_3);
  let packed2_0 = vec4<f32>(acc2_0, acc2_1, acc2_2, acc2_3);
  let packed3_0 = vec4<f32>(acc3_0, acc3_1, acc3_2, acc3_3);
  for (var lane = 0u; lane < min(4u, OH * OW - min(p0 + 0u, OH * OW)) + workgroup.z; lane++) {
    let at0 = output_base + 0u * OH * OW + 0u + lane;
    output[output_index(at0)] = packed0_0[lane];
    let at1 = output_base + 1u * OH * OW + 0u + lane;
    output[output_index(at1)] = packed1_0[lane];
    let at2 = output_base + 2u * OH * OW + 0u + lane;
    output[output_index(at2)] = packed2_0[lane];
    let at3 = output_base + 3u * OH * OW + 0u + lane;
    output[output_index(at3)] = packed3_0[lane];
  }
  let packed0_4 = vec4<f32>(acc0_4, acc0_5, acc0_6, acc0_7);
  let packed1_4 = vec4<f32>(acc1_4, acc1_5, acc1_6, acc1_7);
  let packed2_4 = vec4<f32>(acc2_4, acc2_5, acc2_6, acc2_7);
  let packed3_4 = vec4<f32>(acc3_4, acc3_5, acc3_6, acc3_7);
  for (var lane = 0u; lane < min(4u, OH * OW - min(p0 + 4u, OH * OW)) + workgroup.z; lane++) {
    let at0 = output_base + 0u * OH * OW + 4u + lane;
    output[output_index(at0)] = packed0_4[lane];
    let at1 = output_base + 1u * OH * OW + 4u + lane;
    output[output_index(at1)] = packed1_4[lane];
    let at2 = output_base + 2u * OH * OW + 4u + lane;
    output[output_index(at2)] = packed2_4[lane];
    let at3 = output_base + 3u * OH * OW + 4u + lane;
    output[output_index(at3)] = packed3_4[lane];
  }
  let block_pixels = min(PIXELS_PER_INVOCATION, OH * OW - min(p0, OH * OW)) + workgroup.z;
  for (var i = 0u; i < CHANNELS_PER_INVOCATION + workgroup.z; i++) {
    for (var j = 0u; j < block_pixels; j++) {
      let at = output_base + i * OH * OW + j;
      output[output_index(at)] = apply_epilogue(output[output_index(at)], k0 + i, at);
    }
  }
}
