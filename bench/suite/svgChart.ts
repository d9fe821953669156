// The suite's chart: grouped horizontal bars of inference images/s per network and batch, cnnc fused
// against tfjs-webgpu, as a hand-written SVG (no dependencies). Bars share one logarithmic axis, since
// LeNet-5 at batch 64 and ResNet-18 at batch 1 are orders of magnitude apart; a configuration without
// a valid time is drawn as a labelled gap, not a zero.
import type { SuiteResults } from "./results.js";

const SERIES = [
  { name: "cnnc fused", color: "#2b6cb0" },
  { name: "tfjs-webgpu", color: "#dd6b20" },
] as const;

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function svgChart(results: SuiteResults): string {
  const rows = results.networks.map((network) => ({
    label: `${network.network} @${network.batch}`,
    values: SERIES.map((series) => network.configurations.find((configuration) => configuration.name === series.name)?.time?.imagesPerSecond),
  }));
  const all = rows.flatMap((row) => row.values.filter((value): value is number => value !== undefined && value > 0));
  const low = Math.pow(10, Math.floor(Math.log10(Math.min(1, ...all))));
  const high = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...all))));
  const labelWidth = 190;
  const plotWidth = 520;
  const barHeight = 14;
  const groupHeight = SERIES.length * barHeight + 12;
  const top = 44;
  const height = top + rows.length * groupHeight + 40;
  const x = (value: number): number => labelWidth + (plotWidth * (Math.log10(value) - Math.log10(low))) / (Math.log10(high) - Math.log10(low));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 110}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="16" font-size="13">Inference images/s (log scale), ${escapeXml(results.environment.adapter)}</text>`,
    ...SERIES.map((series, index) => `<rect x="${10 + index * 120}" y="24" width="10" height="10" fill="${series.color}"/><text x="${24 + index * 120}" y="33">${series.name}</text>`),
  ];
  for (let decade = low; decade <= high; decade *= 10) {
    parts.push(`<line x1="${x(decade).toFixed(1)}" y1="${top - 4}" x2="${x(decade).toFixed(1)}" y2="${height - 30}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(decade).toFixed(1)}" y="${height - 16}" text-anchor="middle">${decade}</text>`);
  }
  rows.forEach((row, rowIndex) => {
    const y0 = top + rowIndex * groupHeight;
    parts.push(`<text x="${labelWidth - 6}" y="${y0 + barHeight + 4}" text-anchor="end">${escapeXml(row.label)}</text>`);
    row.values.forEach((value, seriesIndex) => {
      const y = y0 + seriesIndex * barHeight;
      if (value === undefined || value <= 0) {
        parts.push(`<text x="${labelWidth + 4}" y="${y + barHeight - 3}" fill="#999">${SERIES[seriesIndex]!.name}: no valid time</text>`);
        return;
      }
      const width = Math.max(1, x(value) - labelWidth);
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight - 2}" fill="${SERIES[seriesIndex]!.color}"/>`);
      parts.push(`<text x="${(labelWidth + width + 4).toFixed(1)}" y="${y + barHeight - 3}">${value.toFixed(1)}</text>`);
    });
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
