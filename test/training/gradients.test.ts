// The training step's gradients on the GPU equal the float64 reference's (runReferenceBackward, itself
// checked against central finite differences in test/reference/backward/), network by network: one
// step at learning rate 0 (so nothing moves), then every parameter's gradient buffer read back and
// compared. The networks cover each op's gradient with stride > 1, dilation, asymmetric padding,
// groups, odd sizes, batch > 1, overlapping pools, local response norms, residual sums, concats, and
// both losses.
import { describe, it } from "vitest";
import { compileText } from "../kernels/kernelHelpers.js";
import { checkGradients } from "./gradientCheck.js";

const NETWORKS: Record<string, { source: string; loss: "cross_entropy" | "mse" }> = {
  "LeNet-style: tanh, avgpool and a softmax output (cross-entropy fused with it)": {
    loss: "cross_entropy",
    source: `network Small {
  input x: 1x12x12
  conv(3, 5) as c1 -> tanh -> avgpool(2)
  conv(4, 3) as c2 -> tanh
  fc(8) as f1 -> tanh
  fc(4) as out -> softmax
}`,
  },
  "strided, dilated, grouped and asymmetrically padded convs with every activation": {
    loss: "cross_entropy",
    source: `network Convs {
  input x: 4x12x10
  conv(6, 3, stride=2, pad=[0, 1, 1, 0]) as c1 -> leaky_relu(alpha=0.2)
  conv(6, 3, dilation=2, pad=2, groups=2) as c2 -> elu(alpha=0.7)
  conv(5, [1, 3], pad=[0, 0, 1, 1]) as c3 -> tanh
  conv(4, 1) as c4 -> sigmoid
  fc(5) as out
}`,
  },
  "MobileNetV3's activations: relu6 and hardsigmoid fused into conv epilogues, hardswish and silu on their own": {
    loss: "cross_entropy",
    source: `network Hard {
  input x: 3x9x9
  conv(6, 3, stride=2, pad=1) as c1 -> relu6
  conv(6, 3, pad=1, groups=6) as c2 -> hardswish
  conv(5, 1) as c3 -> silu
  conv(4, 3) as c4 -> hardsigmoid
  fc(6) as f1 -> hardswish
  fc(3) as out
}`,
  },
  "a squeeze-and-excitation gate ([C, 1, 1] and [C]) and a same-shape mul": {
    loss: "mse",
    source: `network Gates {
  input x: 3x6x5
  y = conv(4, 3, pad=1) as c1 -> hardswish
  g = y -> global_avgpool -> fc(2) as f1 -> relu -> fc(4) as f2 -> hardsigmoid
  z = mul(y, g)
  p = z -> global_avgpool
  w = mul(z, p) -> conv(4, 1) as c2
  v = x -> conv(4, 3, pad=1) as c3
  mul(w, v) -> fc(3) as out
}`,
  },
  "overlapping max, avg (ceil, count_pad) and l2 pools, global pools": {
    loss: "cross_entropy",
    source: `network Pools {
  input x: 3x13x13
  conv(4, 3, pad=1) as c1 -> relu -> maxpool(3, stride=2) as p1
  conv(4, 3, pad=1) as c2 -> relu -> avgpool(2, rounding=ceil, count_pad=false) as p2
  conv(4, 2) as c3 -> l2pool(2, stride=1) as p3
  conv(6, 1) as c4 -> global_avgpool
  fc(3) as out
}`,
  },
  "local response norms (odd and even sizes) after a relu and straight after a conv": {
    loss: "cross_entropy",
    source: `network Norms {
  input x: 3x8x8
  conv(5, 3, pad=1) as c1 -> relu -> lrn(size=3, alpha=0.5, beta=0.75, k=1) as n1 -> maxpool(2) as p1
  conv(6, 3) as c2 -> lrn(size=4, alpha=1, beta=0.6, k=2) as n2
  fc(4) as out
}`,
  },
  "a residual sum, a concat, dropout-free fc layers and mse": {
    loss: "mse",
    source: `network Merge {
  input x: 3x6x6
  a = conv(4, 3, pad=1) as c1 -> relu
  b = a -> conv(4, 3, pad=1) as c2
  s = add(a, b) -> relu
  t = s -> conv(2, 1) as c3 -> global_maxpool
  u = s -> conv(3, 1) as c4 -> global_avgpool
  concat(t, u) -> flatten -> fc(6) as f1 -> tanh -> fc(2) as out
}`,
  },
};

describe("training-step gradients on the GPU equal the float64 reference's", () => {
  for (const [what, { source, loss }] of Object.entries(NETWORKS)) {
    it(what, async () => {
      const graph = compileText(source);
      await checkGradients(graph, loss, true);
      await checkGradients(graph, loss, false);
    });
  }
});
