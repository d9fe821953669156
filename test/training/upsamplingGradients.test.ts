// The training step's gradients through conv_transpose and upsample on the GPU equal the float64
// reference's (checked against finite differences in test/reference/backward/upsampling.test.ts), fused
// and unfused: conv_transpose's input gradient (a conv), its weight gradient (the filter gradient of the
// conv it transposes) and its bias; upsample's input gradient in every mode. Each network has a conv
// before the op, so the op's input gradient reaches a parameter gradient that is compared.
import { describe, it } from "vitest";
import { compileText } from "../kernels/kernelHelpers.js";
import { checkGradients } from "./gradientCheck.js";

const NETWORKS: Record<string, { source: string; loss: "cross_entropy" | "mse" }> = {
  "conv_transpose: stride 2 and 3, padding, output_padding (also >= stride with dilation), groups, fused relu": {
    loss: "cross_entropy",
    source: `network Transposed {
  input x: 2x5x4
  conv(4, 3, pad=1) as c1 -> relu
  conv_transpose(6, 3, stride=2, pad=1, output_padding=1, groups=2) as t1 -> relu
  conv_transpose(3, 2, stride=3, dilation=2, output_padding=1, bias=false) as t2
  conv_transpose(2, 3, dilation=2, pad=1, output_padding=1) as t3 -> tanh
  avgpool(4)
  fc(3) as out
}`,
  },
  "upsample: nearest, bilinear with half-pixel centers and with align_corners, unequal factors": {
    loss: "mse",
    source: `network Upsampled {
  input x: 2x3x4
  conv(3, 3, pad=1) as c1 -> relu
  upsample(2) as u1
  conv(3, 3, pad=1) as c2 -> tanh
  upsample(3, mode=bilinear) as u2
  conv(2, 2, stride=2) as c3 -> tanh
  upsample(2x3, mode=bilinear, align_corners=true) as u3
  conv(2, 3, stride=3) as c4
  fc(3) as out
}`,
  },
  "a small U-Net: strided encoder, conv_transpose and upsample decoders with concat skips": {
    loss: "cross_entropy",
    source: `network TinyUnet {
  input x: 2x8x8
  e1 = conv(4, 3, pad=1) as c1 -> relu
  e2 = e1 -> conv(6, 2, stride=2) as c2 -> relu
  d1 = e2 -> conv_transpose(4, 2, stride=2) as t1 -> relu
  m1 = concat(d1, e1) -> conv(4, 3, pad=1) as c3 -> relu
  d2 = e2 -> upsample(2, mode=bilinear) as u1
  concat(m1, d2) -> conv(3, 1) as c4 -> global_avgpool -> flatten -> fc(3) as out
}`,
  },
};

describe("training-step gradients through conv_transpose and upsample equal the float64 reference's", () => {
  for (const [what, { source, loss }] of Object.entries(NETWORKS)) {
    it(what, async () => {
      const graph = compileText(source);
      await checkGradients(graph, loss, true);
      await checkGradients(graph, loss, false);
    });
  }
});
