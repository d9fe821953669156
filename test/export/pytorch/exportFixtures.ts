// Small networks that use every way the PyTorch export writes a layer: asymmetric and non-zero
// padding, ceil rounding (as padding for convs, as ceil_mode or an explicit pad and slice for pools),
// L2 pooling, avg pooling without the padding in its divisor, 1-D layers, sublayers of a layer.
export const FEATURES_2D = `network Features {
  input image: 3x17x17
  stem = conv(8, 3, pad=[0, 1, 0, 1], padding_mode=reflect) -> batchnorm -> leaky_relu(alpha=0.2)
  wide = stem -> conv(8, 4, pad=same, stride=2) -> elu -> conv(8, 3, rounding=ceil, stride=2, groups=2, dilation=2, pad=1, padding_mode=replicate) -> global_avgpool
  left = stem -> maxpool(3, stride=2, pad=[1, 0, 1, 0], rounding=ceil) -> lrn(size=3)
  right = stem -> avgpool(3, stride=2, pad=[0, 1, 0, 1], count_pad=false, rounding=ceil)
  joined = concat(left, right) -> l2pool(2, pad=1, rounding=ceil) -> sigmoid
  tail = joined -> avgpool(2, stride=2, pad=[1, 0, 0, 1], rounding=ceil) -> dropout(p=0.3)
  pooled = tail -> global_maxpool
  concat(pooled, wide) -> flatten -> fc(6) -> batchnorm -> tanh -> fc(4, bias=false) -> softmax
}
`;

export const FEATURES_1D = `network Sequence {
  input tokens: 4x23
  a = conv(6, 3, pad=[2, 0], padding_mode=circular) -> relu
  b = a -> l2pool(3, stride=2, pad=[1, 0], rounding=ceil) -> batchnorm
  c = a -> conv(6, 5, pad=same, stride=2) -> relu
  add(b, c) -> avgpool(2, pad=1, count_pad=false, rounding=ceil) -> global_avgpool -> fc(3)
}
`;

// The activations and every form of mul's gate: a [C] gate from an fc, a [C, 1, 1] gate from
// global_avgpool, a gate of the value's own shape, and the 1-D forms ([C] and [C, 1] over [C, L]).
export const GATES = `network Gates {
  input image: 4x9x7
  a = conv(8, 3, pad=1) -> relu6
  fc_gate = a -> global_avgpool -> fc(8) -> hardsigmoid
  pool_gate = a -> silu -> global_avgpool -> sigmoid
  b = mul(a, fc_gate) -> hardswish
  c = mul(b, pool_gate)
  d = a -> conv(8, 1) -> sigmoid
  mul(c, d) -> conv(3, 1) -> hardswish
}
`;

export const GATES_1D = `network Gates1d {
  input tokens: 5x11
  a = conv(6, 3, pad=1) -> silu
  fc_gate = a -> global_avgpool -> fc(6) -> hardsigmoid
  pool_gate = a -> global_maxpool -> relu6
  b = mul(a, fc_gate)
  mul(b, pool_gate) -> conv(2, 1)
}
`;

// Decoders: conv_transpose with every setting (stride, pad, output_padding, dilation, groups, a
// non-square kernel, no bias) and upsample nearest, bilinear, bilinear with align_corners, and
// non-square scales.
export const DECODER = `network Decoder {
  input image: 4x3x4
  a = conv_transpose(6, 3, stride=2, pad=1, output_padding=1, groups=2) -> relu
  b = a -> conv_transpose(4, 2x3, stride=2x1, pad=1x0, dilation=2, output_padding=1x0, bias=false)
  c = b -> upsample(2x3) -> conv(4, 3, stride=2, rounding=floor)
  d = c -> upsample(2, mode=bilinear) -> conv(4, 3, stride=2, rounding=floor)
  e = d -> upsample(3x2, mode=bilinear, align_corners=true)
  e -> conv_transpose(2, 3, stride=3, dilation=2x1, pad=2)
}
`;

// Two outputs, the loss's a softmax, listed second, and a train section naming it.
export const TWO_OUTPUTS = `network Heads {
  input image: 1x12x12
  trunk = conv(4, 3, pad=1) -> relu -> maxpool(2)
  boxes = trunk -> conv(4, 1)
  scores = trunk -> global_avgpool -> fc(10) -> softmax
  outputs boxes, scores
}
train {
  output = scores
  epochs = 2
  batch = 16
  optimizer = adam
}
`;
