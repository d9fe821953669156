// max pooling, 2-D
//   layers: right maxpool (blocks.cnn:7:21)
//   input: [2, 8, 8, 8]
//   output: [2, 8, 8, 8]
//   window: 3x3, stride 1x1, rounding floor
//   padding: top 1 bottom 1 left 1 right 1
//   output store: dense
//   schedule: one invocation per output element
//   workgroup size: 64
//   bindings: x (read), y (read_write)

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const H: i32 = 8i;
const W: i32 = 8i;
const KH: i32 = 3i;
const KW: i32 = 3i;
const SH: i32 = 1i;
const SW: i32 = 1i;
const PAD_TOP: i32 = 1i;
const PAD_BOTTOM: i32 = 1i;
const PAD_LEFT: i32 = 1i;
const PAD_RIGHT: i32 = 1i;
const OH: u32 = 8u;
const OW: u32 = 8u;

// max that keeps a NaN (WGSL's max may drop it, as PyTorch's does not).
fn max_keeping_nan(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, ((bitcast<u32>(b) & 0x7fffffffu) > 0x7f800000u)), a, ((bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 16u + workgroup.x) * 64u + local;
  if (index >= 1024u) {
    return;
  }
  let ow = i32(index % OW);
  let oh = i32((index / OW) % OH);
  let plane_base = (index / (OW * OH)) * u32(H * W);
  let row_start = oh * SH - PAD_TOP;
  let col_start = ow * SW - PAD_LEFT;
  let first_row = max(row_start, 0);
  let end_row = min(row_start + KH, H);
  let first_col = max(col_start, 0);
  let end_col = min(col_start + KW, W);
  let input_cells = max(end_row - first_row, 0) * max(end_col - first_col, 0);
  var result = 0.0f;
  if (input_cells > 0) {
    var best = x[plane_base + u32(first_row * W + first_col)];
    for (var row = first_row; row < end_row; row++) {
      for (var col = first_col; col < end_col; col++) {
        let value = x[plane_base + u32(row * W + col)];
        best = max_keeping_nan(best, value);
      }
    }
    result = best;
  }
  y[index] = result;
}
