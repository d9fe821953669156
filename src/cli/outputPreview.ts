// A few lines describing a network output for the terminal: its shape, and for a classifier (one
// vector per sample) the argmax of each sample; otherwise summary statistics and the first values.
import { shapeSize } from "../ir/graph.js";
import type { Tensor } from "../tensor.js";

const MAX_SAMPLES_SHOWN = 8;

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  return magnitude >= 1e4 || magnitude < 1e-3 ? value.toExponential(3) : value.toFixed(4);
}

export function previewOutput(name: string, tensor: Tensor): string[] {
  const [batch = 1, ...sample] = tensor.shape;
  const lines = [`output ${name}: [${tensor.shape.join(", ")}]`];
  const perSample = shapeSize(sample);
  if (sample.length === 1 && perSample > 1) {
    for (let n = 0; n < Math.min(batch, MAX_SAMPLES_SHOWN); n++) {
      // As torch.argmax: a NaN counts as the largest value, so a NaN output is not hidden behind a number.
      let best = 0;
      for (let i = 1; i < perSample && !Number.isNaN(tensor.data[n * perSample + best]!); i++) {
        const value = tensor.data[n * perSample + i]!;
        if (value > tensor.data[n * perSample + best]! || Number.isNaN(value)) best = i;
      }
      lines.push(`  sample ${n}: argmax ${best} (${formatValue(tensor.data[n * perSample + best]!)})`);
    }
    if (batch > MAX_SAMPLES_SHOWN) lines.push(`  ... ${batch - MAX_SAMPLES_SHOWN} more samples`);
    return lines;
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const value of tensor.data) {
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
  }
  const first = Array.from(tensor.data.subarray(0, 6), formatValue).join(", ");
  lines.push(`  min ${formatValue(min)}, max ${formatValue(max)}, mean ${formatValue(sum / tensor.data.length)}`);
  lines.push(`  first values: ${first}${tensor.data.length > 6 ? ", ..." : ""}`);
  return lines;
}
