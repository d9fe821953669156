// Renders a Summary as the course notes' VGG table plus totals, in plain text columns.
import { formatDims, formatInteger, formatMagnitude, formatVolume } from "../ir/format.js";
import { BYTES_PER_FLOAT32, type Summary } from "../ir/summary.js";

const HEADERS = ["name", "op", "output", "activations", "params", "MACs"] as const;

export function renderSummary(summary: Summary): string {
  const rows = summary.rows.map((row) => [row.name, row.op, row.volume, row.activationsText, row.paramsText, formatMagnitude(row.macs)]);
  // A loop, not Math.max(...rows): a network may have hundreds of thousands of rows.
  const widths = HEADERS.map((header, column) => rows.reduce((width, row) => Math.max(width, row[column]!.length), header.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const { totals, memory } = summary;
  const mib = formatMiB;
  const activationBytes = memory.activationBytes;
  // Parameter bytes that are buffers (batchnorm running statistics), which have no gradient.
  const bufferBytes = memory.parameterBytes - totals.params * BYTES_PER_FLOAT32;
  // One output is the last row; several (`outputs a, b`) are named, in their order.
  const outputsLine = summary.outputs.length > 1 ? [`outputs: ${summary.outputs.map((output) => `${output.name} (${formatVolume(output.output)})`).join(", ")}`] : [];
  const lines = [
    `${summary.network}: input ${formatDims(summary.input)} (${summary.input.length === 3 ? "CxHxW" : summary.input.length === 2 ? "CxL" : "F"}); output volumes are HxWxC as in the course notes`,
    ...outputsLine,
    "",
    line(HEADERS),
    ...rows.map(line),
    "",
    `params:                 ${formatInteger(totals.params)} (${mib(totals.params * BYTES_PER_FLOAT32)} as float32)`,
    `MACs per image:         ${formatInteger(totals.macs)} (${formatMagnitude(totals.macs)})`,
    `activations per image:  ${formatInteger(totals.activations)} (${mib(totals.activations * BYTES_PER_FLOAT32)} as float32)`,
    `forward memory, batch ${memory.batch}: ${mib(memory.forwardBytes)} = activations ${mib(activationBytes)} + params ${mib(memory.parameterBytes)}`,
    `training estimate, batch ${memory.batch}: ${mib(memory.trainingBytes)} = activations and their gradients 2 x ${mib(activationBytes)} + params, gradients and optimizer state 3 x ${mib(memory.parameterBytes - bufferBytes)}${bufferBytes > 0 ? ` + batchnorm running statistics ${mib(bufferBytes)}` : ""}`,
    "",
    "Activations count each layer's output once per image; elementwise layers marked `in place` overwrite their input (as PyTorch's inplace ReLU does) and add nothing.",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * `58.1 MiB`, `1,234.5 MiB`, `35.6 KiB`, `512 B`: the table's totals in the course notes' unit, MiB from
 * 1 MiB up (never GiB, so totals compare at a glance), one decimal always. Messages use formatBytes
 * (ir/format.ts), which picks the largest unit.
 */
function formatMiB(bytes: number): string {
  const oneDecimal = (value: number) => value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (bytes >= 2 ** 20) return `${oneDecimal(bytes / 2 ** 20)} MiB`;
  if (bytes >= 2 ** 10) return `${oneDecimal(bytes / 2 ** 10)} KiB`;
  return `${bytes} B`;
}
