// softmax over 10 channels (max-subtracted)
//   layers: out.softmax softmax (lenet5.cnn:11:19)
//   input and output: [1, 10]
//   schedule: one invocation per (sample, position), looping over channels 4 at a time
//   workgroup size: 64
//   bindings: x (read), y (read_write)

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const C: u32 = 10u;
const INNER: u32 = 1u;

// max that keeps a NaN (WGSL's max may drop it, as PyTorch's does not).
fn max_keeping_nan(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, ((bitcast<u32>(b) & 0x7fffffffu) > 0x7f800000u)), a, ((bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let index = (workgroup.y * 1u + workgroup.x) * 64u + local;
  if (index >= 1u) {
    return;
  }
  let sample = index / INNER;
  let base = sample * C * INNER + index % INNER;
  var largest = x[base];
  for (var c = 1u; c < 9u; c += 4u) {
    largest = max_keeping_nan(largest, x[base + c * INNER]);
    largest = max_keeping_nan(largest, x[base + (c + 1u) * INNER]);
    largest = max_keeping_nan(largest, x[base + (c + 2u) * INNER]);
    largest = max_keeping_nan(largest, x[base + (c + 3u) * INNER]);
  }
  for (var c = 9u; c < C; c++) {
    largest = max_keeping_nan(largest, x[base + c * INNER]);
  }
  var sum = 0.0f;
  for (var c = 0u; c < 8u; c += 4u) {
    let e0 = exp(x[base + c * INNER] - largest);
    y[base + c * INNER] = e0;
    sum += e0;
    let e1 = exp(x[base + (c + 1u) * INNER] - largest);
    y[base + (c + 1u) * INNER] = e1;
    sum += e1;
    let e2 = exp(x[base + (c + 2u) * INNER] - largest);
    y[base + (c + 2u) * INNER] = e2;
    sum += e2;
    let e3 = exp(x[base + (c + 3u) * INNER] - largest);
    y[base + (c + 3u) * INNER] = e3;
    sum += e3;
  }
  for (var c = 8u; c < C; c++) {
    let e0 = exp(x[base + c * INNER] - largest);
    y[base + c * INNER] = e0;
    sum += e0;
  }
  let scale = 1.0f / sum;
  for (var c = 0u; c < 8u; c += 4u) {
    y[base + c * INNER] *= scale;
    y[base + (c + 1u) * INNER] *= scale;
    y[base + (c + 2u) * INNER] *= scale;
    y[base + (c + 3u) * INNER] *= scale;
  }
  for (var c = 8u; c < C; c++) {
    y[base + c * INNER] *= scale;
  }
}
