// A small well-formedness check for the SVG the report writes: every tag balanced and properly
// nested, attributes quoted, no stray `<` or `&` in text. Returns the element names in document order.
export function checkWellFormedXml(text: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  const token = /<\/?([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/y;
  let position = 0;
  while (position < text.length) {
    const next = text.indexOf("<", position);
    const textPart = text.slice(position, next < 0 ? text.length : next);
    if (/&(?!(?:amp|lt|gt|quot|apos);)/.test(textPart)) throw new Error(`bad entity in text near ${position}: ${textPart.slice(0, 40)}`);
    if (next < 0) break;
    if (open.length === 0 && names.length > 0) throw new Error(`content after the root element at ${next}`);
    token.lastIndex = next;
    const match = token.exec(text);
    if (match === null) throw new Error(`malformed tag at ${next}: ${text.slice(next, next + 60)}`);
    const [whole, name, , selfClosing] = match;
    if (whole.startsWith("</")) {
      const expected = open.pop();
      if (expected !== name) throw new Error(`</${name}> closes <${expected ?? "nothing"}> at ${next}`);
    } else {
      names.push(name!);
      if (selfClosing !== "/") open.push(name!);
    }
    position = next + whole.length;
  }
  if (open.length > 0) throw new Error(`unclosed elements: ${open.join(", ")}`);
  return names;
}
