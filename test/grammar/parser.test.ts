import { describe, expect, it } from "vitest";
import type { SourceSpan } from "../../grammar/ast.js";
import { parseProgram } from "../../grammar/parse.js";
import {
  arg,
  bare,
  bin,
  call,
  dims,
  float,
  list,
  name,
  named,
  neg,
  num,
  parseBody,
  parseClean,
  pos,
  repeat,
  chain,
  str,
  stripSpans,
  unnamed,
} from "./astBuilders.js";
import { lenet5, samples } from "./samples.js";

describe("top level", () => {
  it("parses LeNet-5 from the issue into its full AST", () => {
    expect(parseClean(lenet5)).toEqual([
      {
        kind: "network",
        name: "LeNet5",
        body: [
          { kind: "input", name: "image", dims: dims(1, 32, 32) },
          named("c1", call("conv", [pos(num(6)), arg("kernel", num(5))]), bare("tanh")),
          named("s2", call("avgpool", [pos(num(2))])),
          named("c3", call("conv", [pos(num(16)), arg("kernel", num(5))]), bare("tanh")),
          named("s4", call("avgpool", [pos(num(2))])),
          named("c5", call("fc", [pos(num(120))]), bare("tanh")),
          named("f6", call("fc", [pos(num(84))]), bare("tanh")),
          named("out", call("fc", [pos(num(10))]), bare("softmax")),
        ],
      },
    ]);
  });

  it("keeps declarations in source order", () => {
    const items = parseClean(`const A = 1
network N { relu }
use "a.cnn"
block b { relu }
train { lr = 0.1 }
const B = 2`);
    expect(items.map((item) => item.kind)).toEqual(["const", "network", "use", "block", "train", "const"]);
  });

  it("parses use with escapes in the path", () => {
    expect(parseClean(`use "blocks/resnet.cnn"\nuse "a\\"b\\\\c\\n"`)).toEqual([
      { kind: "use", path: "blocks/resnet.cnn" },
      { kind: "use", path: 'a"b\\c\n' },
    ]);
  });

  it("parses top-level constants", () => {
    expect(parseClean("const WIDTH = 64\nconst RATE = 0.5")).toEqual([
      { kind: "const", name: "WIDTH", value: num(64) },
      { kind: "const", name: "RATE", value: float(0.5) },
    ]);
  });

  it("an empty file or one with only comments and semicolons is an empty program", () => {
    expect(parseProgram("", "e.cnn")).toEqual({ program: { file: "e.cnn", items: [] }, diagnostics: [] });
    expect(parseProgram("# nothing here\n;;\n", "e.cnn")).toEqual({ program: { file: "e.cnn", items: [] }, diagnostics: [] });
  });
});

describe("blocks", () => {
  it("parses parameters with and without defaults, `in`, and the last statement", () => {
    expect(
      parseClean(`block basic(ch, stride=1, pad=(3 - 1) / 2) {
  a = conv(ch, 3, stride=stride, pad=pad) -> relu
  s = in -> conv(ch, 1, stride=stride)
  add(a, s)
}`),
    ).toEqual([
      {
        kind: "block",
        name: "basic",
        params: [
          { name: "ch" },
          { name: "stride", default: num(1) },
          { name: "pad", default: bin(bin(num(3), "-", num(1)), "/", num(2)) },
        ],
        body: [
          named("a", call("conv", [pos(name("ch")), pos(num(3)), arg("stride", name("stride")), arg("pad", name("pad"))]), bare("relu")),
          named("s", bare("in"), call("conv", [pos(name("ch")), pos(num(1)), arg("stride", name("stride"))])),
          unnamed(call("add", [pos(name("a")), pos(name("s"))])),
        ],
      },
    ]);
  });

  it("allows a block without a parameter list, or with an empty one", () => {
    expect(parseClean("block stem { relu }\nblock head() { softmax }")).toEqual([
      { kind: "block", name: "stem", params: [], body: [unnamed(bare("relu"))] },
      { kind: "block", name: "head", params: [], body: [unnamed(bare("softmax"))] },
    ]);
  });
});

describe("statements", () => {
  it("parses inputs with dims, lists and constants", () => {
    expect(parseBody("input image: 3x32x32\ninput text: 5x7\ninput a: [C, 28, 28]\ninput b: SHAPE")).toEqual([
      { kind: "input", name: "image", dims: dims(3, 32, 32) },
      { kind: "input", name: "text", dims: dims(5, 7) },
      { kind: "input", name: "a", dims: list(name("C"), num(28), num(28)) },
      { kind: "input", name: "b", dims: name("SHAPE") },
    ]);
  });

  it("parses named and unnamed chains, bare steps, empty parentheses and value references", () => {
    expect(parseBody("c1 = conv(6, 5) -> tanh\nmaxpool(2)\nrelu()\nb = c1 -> flatten\nglobal_avgpool")).toEqual([
      named("c1", call("conv", [pos(num(6)), pos(num(5))]), bare("tanh")),
      unnamed(call("maxpool", [pos(num(2))])),
      unnamed(call("relu")),
      named("b", bare("c1"), bare("flatten")),
      unnamed(bare("global_avgpool")),
    ]);
  });

  it("parses constants inside bodies", () => {
    expect(parseBody("const HALF = 32\nfc(HALF)")).toEqual([{ kind: "const", name: "HALF", value: num(32) }, unnamed(call("fc", [pos(name("HALF"))]))]);
  });

  it("does not need newlines or separators between statements, and accepts ';'", () => {
    const expected = [named("a", call("conv", [pos(num(6)), pos(num(5))])), unnamed(bare("relu")), named("b", call("fc", [pos(num(2))]))];
    expect(parseBody("a = conv(6, 5) relu b = fc(2)")).toEqual(expected);
    expect(parseBody("a = conv(6, 5); relu; b = fc(2);")).toEqual(expected);
  });

  it("parses `as` names, including dotted paths with numbers", () => {
    expect(parseBody("conv(64, 3) as conv1 -> batchnorm as downsample.0 -> relu as layer1.0.relu -> fc(2) as head.0.1")).toEqual([
      unnamed(call("conv", [pos(num(64)), pos(num(3))], "conv1"), bare("batchnorm", "downsample.0"), bare("relu", "layer1.0.relu"), call("fc", [pos(num(2))], "head.0.1")),
    ]);
  });

  it("parses repetition, nested, with expressions as counts, in chains", () => {
    expect(parseBody("[conv(64, 3, pad=1) -> relu] * 2\nf = [[conv(8, 3) -> relu] * N -> maxpool(2)] * (M - 1) -> fc(10)")).toEqual([
      unnamed(repeat(chain(call("conv", [pos(num(64)), pos(num(3)), arg("pad", num(1))]), bare("relu")), num(2))),
      named(
        "f",
        repeat(chain(repeat(chain(call("conv", [pos(num(8)), pos(num(3))]), bare("relu")), name("N")), call("maxpool", [pos(num(2))])), bin(name("M"), "-", num(1))),
        call("fc", [pos(num(10))]),
      ),
    ]);
  });
});

describe("arguments and expressions", () => {
  const onlyArgs = (text: string) => {
    const [statement] = parseBody(`conv(${text})`);
    if (statement?.kind !== "layer") throw new Error("expected a layer statement");
    const [step] = statement.chain.steps;
    if (step?.kind !== "call") throw new Error("expected a call");
    return step.args;
  };

  it("parses every kind of value", () => {
    expect(onlyArgs('6, 3x3, [1, 2, 0, 1], same, in, "s", 0.5, 1e-5, 2.5E3, -1, []')).toEqual([
      pos(num(6)),
      pos(dims(3, 3)),
      pos(list(num(1), num(2), num(0), num(1))),
      pos(name("same")),
      pos(name("in")),
      pos(str("s")),
      pos(float(0.5)),
      pos(float(1e-5)),
      pos(float(2500)),
      pos(neg(num(1))),
      pos(list()),
    ]);
  });

  it("marks literals with '.', 'e' or 'E' as not integers", () => {
    expect(onlyArgs("2.0, 1e3, 7")).toEqual([pos(float(2)), pos(float(1000)), pos(num(7))]);
  });

  it("parses named arguments after positional ones", () => {
    expect(onlyArgs("64, kernel=3, stride=2x2, pad=[0, 1], bias=false")).toEqual([
      pos(num(64)),
      arg("kernel", num(3)),
      arg("stride", dims(2, 2)),
      arg("pad", list(num(0), num(1))),
      arg("bias", name("false")),
    ]);
  });

  it("gives * / % precedence over + -, left to right", () => {
    expect(onlyArgs("1 + 2 * 3 - 8 / 4 % 3")).toEqual([pos(bin(bin(num(1), "+", bin(num(2), "*", num(3))), "-", bin(bin(num(8), "/", num(4)), "%", num(3))))]);
    expect(onlyArgs("8 - 2 - 1")).toEqual([pos(bin(bin(num(8), "-", num(2)), "-", num(1)))]);
  });

  it("parses unary minus and parentheses", () => {
    expect(onlyArgs("-(K - 1) * -2, --3, (((4)))")).toEqual([
      pos(bin(neg(bin(name("K"), "-", num(1))), "*", neg(num(2)))),
      pos(neg(neg(num(3)))),
      pos(num(4)),
    ]);
  });

  it("treats keywords as prefixes of identifiers as plain identifiers", () => {
    expect(onlyArgs("inputs, network2, in_ch, asx, blocks, constant, user, trains")).toEqual(
      ["inputs", "network2", "in_ch", "asx", "blocks", "constant", "user", "trains"].map((word) => pos(name(word))),
    );
  });
});

describe("train section", () => {
  it("parses expressions, calls with arguments, and bare names", () => {
    expect(
      parseClean(`train {
  loss = cross_entropy
  optimizer = sgd(momentum=0.9, weight_decay=5e-4)
  lr = 0.01 * 2
  data = fashion_mnist("/usr/share/datasets/fashion-mnist")
  schedule = step()
}`),
    ).toEqual([
      {
        kind: "train",
        settings: [
          { key: "loss", value: name("cross_entropy") },
          { key: "optimizer", value: call("sgd", [arg("momentum", float(0.9)), arg("weight_decay", float(5e-4))]) },
          { key: "lr", value: bin(float(0.01), "*", num(2)) },
          { key: "data", value: call("fashion_mnist", [pos(str("/usr/share/datasets/fashion-mnist"))]) },
          { key: "schedule", value: call("step") },
        ],
      },
    ]);
  });
});

describe("comments", () => {
  it("skips comments everywhere, including at the end of the file without a newline", () => {
    expect(parseBody("# first\nc1 = conv(6, # filters\n 5) # kernel\n-> tanh # end")).toEqual([
      named("c1", call("conv", [pos(num(6)), pos(num(5))]), bare("tanh")),
    ]);
  });
});

describe("spans", () => {
  const span = (startOffset: number, endOffset: number, startLine: number, startColumn: number, endLine: number, endColumn: number): SourceSpan => ({
    file: "s.cnn",
    startOffset,
    endOffset,
    startLine,
    startColumn,
    endLine,
    endColumn,
  });

  it("gives every node of a statement its exact span", () => {
    const text = "network N {\n  c1 = conv(6, kernel=5) as a.0 -> tanh\n}";
    const { program, diagnostics } = parseProgram(text, "s.cnn");
    expect(diagnostics).toEqual([]);
    expect(program.items[0]).toEqual({
      kind: "network",
      name: "N",
      nameSpan: span(8, 8, 1, 9, 1, 9),
      span: span(0, 52, 1, 1, 3, 1),
      body: [
        {
          kind: "layer",
          name: "c1",
          nameSpan: span(14, 15, 2, 3, 2, 4),
          span: span(14, 50, 2, 3, 2, 39),
          chain: {
            span: span(19, 50, 2, 8, 2, 39),
            steps: [
              {
                kind: "call",
                callee: "conv",
                calleeSpan: span(19, 22, 2, 8, 2, 11),
                hasParens: true,
                alias: "a.0",
                aliasSpan: span(40, 42, 2, 29, 2, 31),
                span: span(19, 42, 2, 8, 2, 31),
                args: [
                  { value: { kind: "number", value: 6, isInteger: true, span: span(24, 24, 2, 13, 2, 13) }, span: span(24, 24, 2, 13, 2, 13) },
                  {
                    name: "kernel",
                    nameSpan: span(27, 32, 2, 16, 2, 21),
                    value: { kind: "number", value: 5, isInteger: true, span: span(34, 34, 2, 23, 2, 23) },
                    span: span(27, 34, 2, 16, 2, 23),
                  },
                ],
              },
              { kind: "call", callee: "tanh", calleeSpan: span(47, 50, 2, 36, 2, 39), hasParens: false, args: [], span: span(47, 50, 2, 36, 2, 39) },
            ],
          },
        },
      ],
    });
  });

  it("spans binary expressions from the first operand to the last, parentheses included", () => {
    const text = "const P = (K - 1) / 2";
    const { program } = parseProgram(text, "s.cnn");
    expect(program.items[0]).toMatchObject({
      span: span(0, 20, 1, 1, 1, 21),
      value: { kind: "binary", op: "/", span: span(10, 20, 1, 11, 1, 21), left: { kind: "binary", op: "-", span: span(10, 16, 1, 11, 1, 17) } },
    });
  });

  it("spans inputs, repetitions, train settings and multi-line declarations", () => {
    const text = "network N {\n  input x: 3x8x8\n  [relu] * 2\n}\ntrain {\n  lr = 0.1\n}";
    const { program } = parseProgram(text, "s.cnn");
    expect(program.items[0]).toMatchObject({
      body: [
        { kind: "input", span: span(14, 27, 2, 3, 2, 16), nameSpan: span(20, 20, 2, 9, 2, 9), dims: { span: span(23, 27, 2, 12, 2, 16) } },
        { kind: "layer", span: span(31, 40, 3, 3, 3, 12), chain: { steps: [{ kind: "repeat", span: span(31, 40, 3, 3, 3, 12), count: { span: span(40, 40, 3, 12, 3, 12) } }] } },
      ],
    });
    expect(program.items[1]).toMatchObject({
      kind: "train",
      span: span(44, 63, 5, 1, 7, 1),
      settings: [{ key: "lr", keySpan: span(54, 55, 6, 3, 6, 4), span: span(54, 61, 6, 3, 6, 10) }],
    });
  });

  it("counts columns after CRLF line ends and tabs like the formatter (one column per character)", () => {
    const text = "network N {\r\n\tc1 = relu\r\n}";
    const { program } = parseProgram(text, "s.cnn");
    expect(program.items[0]).toMatchObject({ body: [{ nameSpan: span(14, 15, 2, 2, 2, 3) }] });
  });

  it("every name span of the samples quotes its name in the source", () => {
    for (const [file, text] of Object.entries(samples)) {
      const { program, diagnostics } = parseProgram(text, file);
      expect(diagnostics).toEqual([]);
      const quotes: [string, SourceSpan][] = [];
      const visit = (value: unknown): void => {
        if (Array.isArray(value)) return value.forEach(visit);
        if (typeof value !== "object" || value === null) return;
        const node = value as Record<string, unknown>;
        const pairs: [string, string][] = [
          ["name", "nameSpan"],
          ["callee", "calleeSpan"],
          ["alias", "aliasSpan"],
          ["key", "keySpan"],
        ];
        for (const [field, spanField] of pairs) {
          if (typeof node[field] === "string" && node[spanField] !== undefined) quotes.push([node[field] as string, node[spanField] as SourceSpan]);
        }
        if (node.kind === "name" && typeof node.name === "string") quotes.push([node.name, node.span as SourceSpan]);
        Object.values(node).forEach(visit);
      };
      visit(program.items);
      expect(quotes.length).toBeGreaterThan(5);
      for (const [word, wordSpan] of quotes) expect(text.slice(wordSpan.startOffset, wordSpan.endOffset + 1)).toBe(word);
    }
  });
});

describe("partial ASTs after syntax errors", () => {
  it("keeps the statements around a missing ')' and reports it", () => {
    const { program, diagnostics } = parseProgram("network N {\n  c1 = conv(6, 5 -> tanh\n  c2 = relu\n}", "p.cnn");
    expect(diagnostics.map((d) => d.message)).toEqual(["expected ')' to close the arguments of conv("]);
    expect(stripSpans(program.items)).toEqual([
      { kind: "network", name: "N", body: [named("c1", call("conv", [pos(num(6)), pos(num(5))]), bare("tanh")), named("c2", bare("relu"))] },
    ]);
  });

  it("leaves out a statement whose value is missing and goes on with the next one", () => {
    const { program, diagnostics } = parseProgram("network N {\n  input x: ,\n  c2 = relu\n}", "p.cnn");
    expect(diagnostics).toHaveLength(1);
    expect(stripSpans(program.items)).toEqual([{ kind: "network", name: "N", body: [named("c2", bare("relu"))] }]);
  });

  it("keeps a network whose closing brace is missing", () => {
    const { program, diagnostics } = parseProgram("network N {\n  c1 = relu", "p.cnn");
    expect(diagnostics.map((d) => d.message)).toEqual(["missing '}' to close network N opened at 1:1"]);
    expect(stripSpans(program.items)).toEqual([{ kind: "network", name: "N", body: [named("c1", bare("relu"))] }]);
  });

  it("repairs dims written with spaces into the dims they mean", () => {
    const { program, diagnostics } = parseProgram("network N {\n  input x: 3 x 32 X 32\n  conv(6, 5 x5)\n}", "p.cnn");
    expect(diagnostics.map((d) => d.message)).toEqual(["dims are written without spaces", "dims are written without spaces"]);
    expect(stripSpans(program.items)).toEqual([
      { kind: "network", name: "N", body: [{ kind: "input", name: "x", dims: dims(3, 32, 32) }, unnamed(call("conv", [pos(num(6)), pos(dims(5, 5))]))] },
    ]);
  });
});
