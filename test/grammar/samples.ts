// Valid .cnn sources covering every construct; the fuzz test mutates them, the parser tests check
// that they parse cleanly and that their spans quote the source.

export const lenet5 = `# LeNet-5 (LeCun et al. 1998)
network LeNet5 {
  input image: 1x32x32                 # channels x height x width
  c1 = conv(6, kernel=5) -> tanh
  s2 = avgpool(2)                      # stride defaults to the window
  c3 = conv(16, kernel=5) -> tanh
  s4 = avgpool(2)
  c5 = fc(120) -> tanh
  f6 = fc(84) -> tanh
  out = fc(10) -> softmax
}
`;

export const resnetish = `use "blocks/common.cnn"
const WIDTH = 64                   # integer or float constant
const EPS = 1e-5

block basic(ch, stride=1) {
  a = conv(ch, 3, stride=stride, pad=1, bias=false) as conv1 -> batchnorm(eps=EPS) as bn1 -> relu
  b = conv(ch, 3, pad=1, bias=false) as conv2 -> batchnorm as bn2
  s = in -> conv(ch, 1, stride=stride, bias=false) as downsample.0 -> batchnorm as downsample.1
  add(b, s) -> relu
}

network ResNetish {
  input image: 3x32x32
  stem = conv(WIDTH, kernel=3, pad=1) -> relu
  [conv(WIDTH, 3, pad=1) -> relu] * 2
  l1 = basic(WIDTH) as layer1.0 -> basic(WIDTH) as layer1.1
  l2 = basic(WIDTH * 2, stride=2)
  gap = global_avgpool
  out = fc(10) -> softmax
}

train {
  loss = cross_entropy
  optimizer = sgd(momentum=0.9, weight_decay=5e-4)
  lr = 0.01
  batch = 64
  epochs = 5
  data = fashion_mnist("/usr/share/datasets/fashion-mnist")
}
`;

export const vggish = `const K = 3
network VGGish {
  input image: 3x224x224
  [[conv(64, K, pad=(K - 1) / 2) -> relu] * 2 -> maxpool(2)] * 2
  [[conv(256, 3x3, pad=same, padding_mode=reflect) -> relu] * 3 -> maxpool(2, stride=2)] * 3
  flatten
  [fc(4096) -> relu -> dropout(p=0.5)] * 2
  fc(1000) -> softmax
}
`;

export const textcnn = `network TextCNN {
  input text: 5x7              # embedding dim x sentence length
  b3 = text -> conv1d(2, 3) -> relu -> max_over_time
  b4 = text -> conv(2, k=4, pad=[1, 2]) -> relu -> global_maxpool
  b5 = text -> conv(out=2, kernel=5, pad=valid) -> relu -> global_maxpool;
  concat(b3, b4, b5) -> flatten -> dropout(0.5) -> fc(2) -> softmax
}
`;

export const assorted = `const N = 2; const HALF = 0.5
block stem {
  conv(32, 7x7, stride=2x2, pad=[3, 3, 3, 3], dilation=1, groups=1) -> batchnorm(eps=1e-5, momentum=0.1)
  leaky_relu(alpha=0.01) -> lrn(size=5, alpha=1e-4, beta=0.75, k=2) -> maxpool(3, stride=2, pad=1, rounding=ceil)
}
network Inception {
  input x: 192x28x28
  input extra: [8, 28, 28]
  const BRANCH = 64 % 48 + -N * (N - 1)
  s = x -> stem()
  b1 = s -> conv(BRANCH, 1) -> relu
  b2 = s -> conv(96, 1) -> elu(alpha=1.0) -> conv(128, 3, pad=1) -> sigmoid
  b3 = s -> avgpool(3, stride=1, pad=1, count_pad=false) -> l2pool(1) -> conv(32, 1)
  merged = concat(b1, b2, b3, extra) -> global_avgpool -> flatten -> linear(10, bias=false)
}
train { loss = mse; optimizer = adam(beta1=0.9, beta2=0.999, eps=1e-8); lr = 1e-3 * HALF; data = "d\\"q\\\\" }
`;

export const samples: Record<string, string> = { lenet5, resnetish, vggish, textcnn, assorted };
