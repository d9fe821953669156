// The flat-image-input warning: a 2-D input that looks like an image (both sizes at least 8, at most
// 4:1) read by `conv` or a pool; never for a network that says it is 1-D (conv1d) or whose input is
// sequence-like.
import { describe, expect, it } from "vitest";
import { compileExample } from "../examples/exampleHelpers.js";
import { compileText } from "./compileHelpers.js";

function warningCodes(source: string): string[] {
  return compileText(source).diagnostics.map((d) => `${d.severity}[${d.code}]`);
}

const network = (input: string, body: string) => `network N {\n  input x: ${input}\n${body}\n}\n`;

describe("flat-image-input", () => {
  it("warns once at the input when conv or a pool reads a square-ish 2-D input", () => {
    expect(warningCodes(network("28x28", "  conv(6, 5)"))).toEqual(["warning[flat-image-input]"]);
    expect(warningCodes(network("32x64", "  maxpool(2)"))).toEqual(["warning[flat-image-input]"]);
    expect(warningCodes(network("32x32", "  a = x -> conv(4, 3)\n  b = x -> maxpool(1) -> conv(4, 3)\n  add(a, b)"))).toEqual(["warning[flat-image-input]"]);
  });

  it("is silent for conv1d, for sequence-like sizes and for layers that are not spatial", () => {
    expect(warningCodes(network("28x28", "  conv1d(6, 5)"))).toEqual([]);
    expect(warningCodes(network("5x7", "  conv(6, 3)"))).toEqual([]);
    expect(warningCodes(network("300x50", "  conv(6, 3)"))).toEqual([]);
    expect(warningCodes(network("28x28", "  fc(10)"))).toEqual([]);
    expect(warningCodes(network("1x28x28", "  conv(6, 5)"))).toEqual([]);
  });

  it("is silent on examples/textcnn.cnn", () => {
    expect(() => compileExample("textcnn.cnn")).not.toThrow();
    const text = `network T {\n  input sentence: 5x7\n  a = sentence -> conv1d(100, 3) -> relu -> max_over_time\n  fc(2)\n}\n`;
    expect(warningCodes(text)).toEqual([]);
  });
});
