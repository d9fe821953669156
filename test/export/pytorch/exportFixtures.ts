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
