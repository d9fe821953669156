// What the report's SVG writers (curves, confusion matrix) share: text escaping, compact coordinates,
// and the document frame. Plain strings, no dependency.

/** `text` safe inside an SVG element or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A coordinate with at most two decimals (`12.5`, `3`), so files stay small and stable. */
export function coordinate(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** A text element; `attributes` are written as given (numbers through coordinate()). */
export function svgText(x: number, y: number, text: string, attributes: Record<string, string | number> = {}): string {
  const extra = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${typeof value === "number" ? coordinate(value) : escapeXml(value)}"`)
    .join("");
  return `<text x="${coordinate(x)}" y="${coordinate(y)}"${extra}>${escapeXml(text)}</text>`;
}

/** A complete SVG document of `width` x `height` pixels around `body` (lines of markup). */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  const [w, h] = [coordinate(width), coordinate(height)];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
