// The shape lines of the conv kernels' header comments.
import type { ConvGeometry } from "./geometry.js";

/** Shapes, window and padding of a conv for its kernels' header comments. */
export function shapeSummary(g: ConvGeometry): Record<string, string> {
  return {
    input: `[${g.batch}, ${g.C}, ${g.H}, ${g.W}] (N, C, H, W)`,
    weight: `[${g.K}, ${g.channelsPerGroup}, ${g.KH}, ${g.KW}] (K, C/groups, KH, KW)`,
    output: `[${g.batch}, ${g.K}, ${g.OH}, ${g.OW}] (N, K, OH, OW)`,
    window: `stride ${g.strideH}x${g.strideW}, dilation ${g.dilationH}x${g.dilationW}, groups ${g.groups}`,
    padding: `top ${g.padTop} bottom ${g.padBottom} left ${g.padLeft} right ${g.padRight}, ${g.mode}`,
  };
}
