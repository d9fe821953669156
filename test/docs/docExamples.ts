// Reads the examples out of a Markdown file: fenced blocks that start with `$ cnnc ...` are CLI sessions
// (commands, each followed by the output it prints); fenced blocks that start with `network` (after
// comments) are complete .cnn sources unless a line is only `...` (a fragment); and a block whose first
// line is `# examples/....cnn` lists that file, which may hold mistakes on purpose. The README tests run
// them, so the docs cannot drift from what cnnc does.
import { readFileSync } from "node:fs";

export interface CliExample {
  /** 1-based line of the `$ cnnc` line in the Markdown file. */
  line: number;
  args: string[];
  /** The lines shown after the command, up to the next command or the end of the block. */
  expected: string[];
}

export interface SourceExample {
  line: number;
  text: string;
  /** The repository file the block lists (`examples/mistakes/lenet_typos.cnn`), when it names one. */
  listing?: string;
}

interface Block {
  line: number;
  lines: string[];
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  markdown.split("\n").forEach((text, index) => {
    if (text.startsWith("```")) {
      if (open === undefined) open = { line: index + 2, lines: [] };
      else {
        blocks.push(open);
        open = undefined;
      }
    } else open?.lines.push(text);
  });
  if (open !== undefined) throw new Error(`a fenced block opened at line ${open.line - 1} is never closed`);
  return blocks;
}

export function cliExamples(path: string): CliExample[] {
  const examples: CliExample[] = [];
  for (const block of fencedBlocks(readFileSync(path, "utf8"))) {
    if (!block.lines[0]?.startsWith("$ cnnc ")) continue;
    block.lines.forEach((text, index) => {
      if (text.startsWith("$ ")) {
        const words = text.slice(2).trim().split(/\s+/);
        if (words[0] !== "cnnc" || /["'\\]/.test(text)) throw new Error(`${path}:${block.line + index}: only plain \`$ cnnc ...\` commands are run: ${text}`);
        examples.push({ line: block.line + index, args: words.slice(1), expected: [] });
      } else examples.at(-1)!.expected.push(text);
    });
  }
  for (const example of examples) while (example.expected.at(-1) === "") example.expected.pop();
  return examples;
}

export function sourceExamples(path: string): SourceExample[] {
  const examples: SourceExample[] = [];
  for (const block of fencedBlocks(readFileSync(path, "utf8"))) {
    const listing = /^# (examples\/\S+\.cnn)$/.exec(block.lines[0] ?? "")?.[1];
    if (listing !== undefined) examples.push({ line: block.line, text: `${block.lines.slice(1).join("\n")}\n`, listing });
    else if (/^(#.*\n)*network /.test(block.lines.join("\n")) && !block.lines.some((text) => text.trim() === "...")) {
      examples.push({ line: block.line, text: `${block.lines.join("\n")}\n` });
    }
  }
  return examples;
}

/**
 * One shown line against one printed line. What differs between machines and runs is matched
 * loosely, and only that: the adapter's name (also in explain's line naming the calibration), and
 * durations in milliseconds.
 */
function lineMatches(shown: string, printed: string): boolean {
  for (const adapterLine of ["adapter: ", "schedule estimates: "]) if (shown.startsWith(adapterLine)) return printed.startsWith(adapterLine);
  const pattern = shown.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\d+ ms\b/g, "\\d+ ms");
  return new RegExp(`^${pattern}$`).test(printed);
}

/** Whether `printed` is what `shown` shows; a `...` line shows any number of lines, none included. */
export function outputMatches(shown: readonly string[], printed: readonly string[]): boolean {
  const [first, ...rest] = shown;
  if (first === undefined) return printed.length === 0;
  if (first === "...") {
    for (let skip = 0; skip <= printed.length; skip++) if (outputMatches(rest, printed.slice(skip))) return true;
    return false;
  }
  return printed.length > 0 && lineMatches(first, printed[0]!) && outputMatches(rest, printed.slice(1));
}
