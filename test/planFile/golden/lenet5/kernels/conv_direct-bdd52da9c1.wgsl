// conv2d direct + avg pool
//   layers: c3 conv (lenet5.cnn:7:8) + c3.tanh tanh (7:30) + s4 avgpool (8:8)
//   input: [1, 6, 14, 14] (N, C, H, W)
//   weight: [16, 6, 5, 5] (K, C/groups, KH, KW)
//   output: [1, 16, 10, 10] (N, K, OH, OW)
//   window: stride 1x1, dilation 1x1, groups 1
//   padding: top 0 bottom 0 left 0 right 0, zeros
//   pool: avg 2x2 stride 2x2 over the conv output, which is never stored (the epilogue applies to each conv value before pooling)
//   pooled output: [1, 16, 5, 5]
//   schedule: direct outputChannelsPerInvocation=8 pixelsPerInvocation=2 workgroupSize=64
//   register block: 8 channels x 2 pooled pixels
//   epilogue: bias -> tanh
//   output store: dense
//   workgroup size: 64
//   bindings: input (read), weight (read), output (read_write), bias0 (read)

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> bias0: array<f32>;

const C: u32 = 6u;
const H: u32 = 14u;
const W: u32 = 14u;
const K: u32 = 16u;
const OH: u32 = 10u;
const OW: u32 = 10u;
const KH: u32 = 5u;
const KW: u32 = 5u;
const CHANNELS_PER_GROUP: u32 = 6u;
const FILTERS_PER_GROUP: u32 = 16u;
const WEIGHTS_PER_FILTER: u32 = 150u;
const CHANNELS_PER_INVOCATION: u32 = 8u;
const PIXELS_PER_INVOCATION: u32 = 2u;
const CHANNEL_BLOCKS: u32 = 2u;
const PIXEL_BLOCKS: u32 = 13u;
const POH: u32 = 5u;
const POW: u32 = 5u;
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
  if (coord >= 0i && coord < 14i) {
    return coord;
  }
  return -1i; // zero padding
}

fn source_col(coord: i32) -> i32 {
  if (coord >= 0i && coord < 14i) {
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
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 26u) {
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
  let pooled1 = min(p0 + 1u, POH * POW - 1u);
  let window_row1 = (pooled1 / POW) * POOL_SH;
  let window_col1 = (pooled1 % POW) * POOL_SW;
  var pool0_0 = 0.0f;
  var pool0_1 = 0.0f;
  var pool1_0 = 0.0f;
  var pool1_1 = 0.0f;
  var pool2_0 = 0.0f;
  var pool2_1 = 0.0f;
  var pool3_0 = 0.0f;
  var pool3_1 = 0.0f;
  var pool4_0 = 0.0f;
  var pool4_1 = 0.0f;
  var pool5_0 = 0.0f;
  var pool5_1 = 0.0f;
  var pool6_0 = 0.0f;
  var pool6_1 = 0.0f;
  var pool7_0 = 0.0f;
  var pool7_1 = 0.0f;
  let conv_base = (n * K + k0) * OH * OW;
  for (var cell = 0u; cell < POOL_KH * POOL_KW; cell++) {
    let cell_row = cell / POOL_KW;
    let cell_col = cell % POOL_KW;
    let conv_pixel0 = (window_row0 + cell_row) * OW + window_col0 + cell_col;
    let top0 = i32(window_row0 + cell_row) * STRIDE_H - PAD_TOP;
    let left0 = i32(window_col0 + cell_col) * STRIDE_W - PAD_LEFT;
    let conv_pixel1 = (window_row1 + cell_row) * OW + window_col1 + cell_col;
    let top1 = i32(window_row1 + cell_row) * STRIDE_H - PAD_TOP;
    let left1 = i32(window_col1 + cell_col) * STRIDE_W - PAD_LEFT;
    var acc0_0 = 0.0f;
    var acc0_1 = 0.0f;
    var acc1_0 = 0.0f;
    var acc1_1 = 0.0f;
    var acc2_0 = 0.0f;
    var acc2_1 = 0.0f;
    var acc3_0 = 0.0f;
    var acc3_1 = 0.0f;
    var acc4_0 = 0.0f;
    var acc4_1 = 0.0f;
    var acc5_0 = 0.0f;
    var acc5_1 = 0.0f;
    var acc6_0 = 0.0f;
    var acc6_1 = 0.0f;
    var acc7_0 = 0.0f;
    var acc7_1 = 0.0f;
    for (var kh = 0u; kh < KH; kh++) {
      let row0 = source_row(top0 + i32(kh) * DILATION_H);
      let row1 = source_row(top1 + i32(kh) * DILATION_H);
      for (var kw = 0u; kw < KW; kw++) {
        let col0 = source_col(left0 + i32(kw) * DILATION_W);
        let offset0 = u32(row0 * i32(W) + col0);
        let col1 = source_col(left1 + i32(kw) * DILATION_W);
        let offset1 = u32(row1 * i32(W) + col1);
        var input_index = input_base;
        var weight_index = k0 * WEIGHTS_PER_FILTER + kh * KW + kw;
        for (var c = 0u; c < CHANNELS_PER_GROUP; c++) {
          let x0 = input[input_index + offset0];
          let x1 = input[input_index + offset1];
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
          acc1_0 = fma(w1, x0, acc1_0);
          acc1_1 = fma(w1, x1, acc1_1);
          acc2_0 = fma(w2, x0, acc2_0);
          acc2_1 = fma(w2, x1, acc2_1);
          acc3_0 = fma(w3, x0, acc3_0);
          acc3_1 = fma(w3, x1, acc3_1);
          acc4_0 = fma(w4, x0, acc4_0);
          acc4_1 = fma(w4, x1, acc4_1);
          acc5_0 = fma(w5, x0, acc5_0);
          acc5_1 = fma(w5, x1, acc5_1);
          acc6_0 = fma(w6, x0, acc6_0);
          acc6_1 = fma(w6, x1, acc6_1);
          acc7_0 = fma(w7, x0, acc7_0);
          acc7_1 = fma(w7, x1, acc7_1);
          input_index += H * W;
          weight_index += KH * KW;
        }
      }
    }
    let value0_0 = apply_epilogue(acc0_0, k0 + 0u, conv_base + conv_pixel0);
    pool0_0 += value0_0;
    let value0_1 = apply_epilogue(acc0_1, k0 + 0u, conv_base + conv_pixel1);
    pool0_1 += value0_1;
    let value1_0 = apply_epilogue(acc1_0, k0 + 1u, conv_base + 1u * OH * OW + conv_pixel0);
    pool1_0 += value1_0;
    let value1_1 = apply_epilogue(acc1_1, k0 + 1u, conv_base + 1u * OH * OW + conv_pixel1);
    pool1_1 += value1_1;
    let value2_0 = apply_epilogue(acc2_0, k0 + 2u, conv_base + 2u * OH * OW + conv_pixel0);
    pool2_0 += value2_0;
    let value2_1 = apply_epilogue(acc2_1, k0 + 2u, conv_base + 2u * OH * OW + conv_pixel1);
    pool2_1 += value2_1;
    let value3_0 = apply_epilogue(acc3_0, k0 + 3u, conv_base + 3u * OH * OW + conv_pixel0);
    pool3_0 += value3_0;
    let value3_1 = apply_epilogue(acc3_1, k0 + 3u, conv_base + 3u * OH * OW + conv_pixel1);
    pool3_1 += value3_1;
    let value4_0 = apply_epilogue(acc4_0, k0 + 4u, conv_base + 4u * OH * OW + conv_pixel0);
    pool4_0 += value4_0;
    let value4_1 = apply_epilogue(acc4_1, k0 + 4u, conv_base + 4u * OH * OW + conv_pixel1);
    pool4_1 += value4_1;
    let value5_0 = apply_epilogue(acc5_0, k0 + 5u, conv_base + 5u * OH * OW + conv_pixel0);
    pool5_0 += value5_0;
    let value5_1 = apply_epilogue(acc5_1, k0 + 5u, conv_base + 5u * OH * OW + conv_pixel1);
    pool5_1 += value5_1;
    let value6_0 = apply_epilogue(acc6_0, k0 + 6u, conv_base + 6u * OH * OW + conv_pixel0);
    pool6_0 += value6_0;
    let value6_1 = apply_epilogue(acc6_1, k0 + 6u, conv_base + 6u * OH * OW + conv_pixel1);
    pool6_1 += value6_1;
    let value7_0 = apply_epilogue(acc7_0, k0 + 7u, conv_base + 7u * OH * OW + conv_pixel0);
    pool7_0 += value7_0;
    let value7_1 = apply_epilogue(acc7_1, k0 + 7u, conv_base + 7u * OH * OW + conv_pixel1);
    pool7_1 += value7_1;
  }
  let output_base = (n * K + k0) * POH * POW + p0;
  let packed0_0 = vec4<f32>(pool0_0 / 4.0f, pool0_1 / 4.0f, 0.0f, 0.0f);
  let packed1_0 = vec4<f32>(pool1_0 / 4.0f, pool1_1 / 4.0f, 0.0f, 0.0f);
  let packed2_0 = vec4<f32>(pool2_0 / 4.0f, pool2_1 / 4.0f, 0.0f, 0.0f);
  let packed3_0 = vec4<f32>(pool3_0 / 4.0f, pool3_1 / 4.0f, 0.0f, 0.0f);
  let packed4_0 = vec4<f32>(pool4_0 / 4.0f, pool4_1 / 4.0f, 0.0f, 0.0f);
  let packed5_0 = vec4<f32>(pool5_0 / 4.0f, pool5_1 / 4.0f, 0.0f, 0.0f);
  let packed6_0 = vec4<f32>(pool6_0 / 4.0f, pool6_1 / 4.0f, 0.0f, 0.0f);
  let packed7_0 = vec4<f32>(pool7_0 / 4.0f, pool7_1 / 4.0f, 0.0f, 0.0f);
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
