// The .cnn grammar as a Chevrotain CstParser: a pure grammar with no embedded actions. It builds a
// concrete syntax tree that grammar/visitor.ts turns into the typed AST of grammar/ast.ts. Error
// recovery is on, so one parse reports several syntax errors and still yields a (partial) tree.
import { CstParser, type ISerializedGast, type IParserErrorMessageProvider } from "chevrotain";
import {
  allTokens,
  Arrow,
  As,
  At,
  Block,
  Colon,
  Comma,
  Const,
  Dims,
  Dot,
  Equals,
  Identifier,
  In,
  Input,
  LBracket,
  LCurly,
  LParen,
  Minus,
  Network,
  NumberLiteral,
  Outputs,
  Percent,
  Plus,
  RBracket,
  RCurly,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLiteral,
  Train,
  Use,
} from "./tokens.js";
import { structuredErrorMessages } from "./errorMessages.js";

export class CnnParser extends CstParser {
  constructor(errorMessageProvider: IParserErrorMessageProvider = structuredErrorMessages) {
    super(allTokens, { recoveryEnabled: true, nodeLocationTracking: "full", maxLookahead: 3, errorMessageProvider });
    this.performSelfAnalysis();
  }

  // ------------------------------------------------------------ top level

  public program = this.RULE("program", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.useDecl) },
        { ALT: () => this.SUBRULE(this.constDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.networkDecl) },
        { ALT: () => this.SUBRULE(this.trainDecl) },
        { ALT: () => this.CONSUME(Semicolon) },
      ]);
    });
  });

  /** `use "blocks/resnet.cnn"` */
  public useDecl = this.RULE("useDecl", () => {
    this.CONSUME(Use);
    this.CONSUME(StringLiteral, { LABEL: "path" });
  });

  /** `const WIDTH = 64` (top level or inside a body) */
  public constDecl = this.RULE("constDecl", () => {
    this.CONSUME(Const);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  /** `block basic(ch, stride=1) { ... }`; the parameter list may be left out: `block stem { ... }` */
  public blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(Block);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.blockParam, { LABEL: "params" });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.blockParam, { LABEL: "params" });
        });
      });
      this.CONSUME(RParen);
    });
    this.SUBRULE(this.body);
  });

  /** `ch` or `stride=1` */
  public blockParam = this.RULE("blockParam", () => {
    this.CONSUME(Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.expression, { LABEL: "default" });
    });
  });

  /** `network LeNet5 { ... }` */
  public networkDecl = this.RULE("networkDecl", () => {
    this.CONSUME(Network);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.SUBRULE(this.body);
  });

  /** `train { loss = cross_entropy  optimizer = sgd(momentum=0.9) ... }` */
  public trainDecl = this.RULE("trainDecl", () => {
    this.CONSUME(Train);
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.trainSetting) }, { ALT: () => this.CONSUME(Semicolon) }]);
    });
    this.CONSUME(RCurly);
  });

  /** `key = expression` or `key = call(args)` */
  public trainSetting = this.RULE("trainSetting", () => {
    this.CONSUME(Identifier, { LABEL: "key" });
    this.CONSUME(Equals);
    this.OR([
      { ALT: () => this.SUBRULE(this.trainCall, { LABEL: "call" }) },
      { ALT: () => this.SUBRULE(this.expression, { LABEL: "value" }) },
    ]);
  });

  /** `sgd(momentum=0.9)`: unlike a chain step, always with parentheses and without `as`. */
  public trainCall = this.RULE("trainCall", () => {
    this.CONSUME(Identifier, { LABEL: "callee" });
    this.CONSUME(LParen);
    this.OPTION(() => this.SUBRULE(this.argumentList));
    this.CONSUME(RParen);
  });

  // ------------------------------------------------------------ bodies and statements

  /**
   * `{ statements }` of a network or block. The braces belong to this rule so that the repetition is
   * directly followed by `}`: that lets error recovery skip a bad token and carry on with the next
   * statement instead of abandoning the rest of the body.
   */
  public body = this.RULE("body", () => {
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(Semicolon) }]);
    });
    this.CONSUME(RCurly);
  });

  public statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.outputsStmt) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.layerStmt) },
    ]);
  });

  /** `input image: 1x32x32` */
  public inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(Input);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Colon);
    this.SUBRULE(this.expression, { LABEL: "dims" });
  });

  /** `outputs boxes, scores`: the network's outputs, in order. */
  public outputsStmt = this.RULE("outputsStmt", () => {
    this.CONSUME(Outputs);
    this.CONSUME(Identifier, { LABEL: "names" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: "names" });
    });
  });

  /** `c1 = conv(6, 5) -> tanh` or an unnamed chain; `name =` is told apart from a chain by LL(2). */
  public layerStmt = this.RULE("layerStmt", () => {
    this.OPTION(() => {
      this.CONSUME(Identifier, { LABEL: "name" });
      this.CONSUME(Equals);
    });
    this.SUBRULE(this.chain);
  });

  /** `step -> step -> ...` */
  public chain = this.RULE("chain", () => {
    this.SUBRULE(this.step, { LABEL: "steps" });
    this.MANY(() => {
      this.CONSUME(Arrow);
      this.SUBRULE2(this.step, { LABEL: "steps" });
    });
  });

  public step = this.RULE("step", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.callStep) }, { ALT: () => this.SUBRULE(this.repeatStep) }]);
  });

  /**
   * `conv(64, 3, pad=1) as conv1 @winograd`, a bare `relu`, or a value reference `x` / `in`. The
   * `@kind` annotation (last) forces the layer's schedule; elaboration checks where it may stand.
   */
  public callStep = this.RULE("callStep", () => {
    this.OR([
      { ALT: () => this.CONSUME(Identifier, { LABEL: "callee" }) },
      { ALT: () => this.CONSUME(In, { LABEL: "callee" }) },
    ]);
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => this.SUBRULE(this.argumentList));
      this.CONSUME(RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(As);
      this.SUBRULE(this.aliasPath);
    });
    this.OPTION4(() => {
      this.CONSUME(At);
      this.CONSUME2(Identifier, { LABEL: "scheduleKind" });
    });
  });

  /** `conv1`, `downsample.0`, `layer1.0.conv1` */
  public aliasPath = this.RULE("aliasPath", () => {
    this.CONSUME(Identifier, { LABEL: "parts" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.OR([
        { ALT: () => this.CONSUME2(Identifier, { LABEL: "parts" }) },
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: "parts" }) },
      ]);
    });
  });

  /** `[conv(64, 3, pad=1) -> relu] * 2` */
  public repeatStep = this.RULE("repeatStep", () => {
    this.CONSUME(LBracket);
    this.SUBRULE(this.chain, { LABEL: "body" });
    this.CONSUME(RBracket);
    this.CONSUME(Star);
    this.SUBRULE(this.expression, { LABEL: "count" });
  });

  /** Positional arguments, then `name=value` ones (the order is checked by the visitor). */
  public argumentList = this.RULE("argumentList", () => {
    this.SUBRULE(this.argument, { LABEL: "arguments" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.argument, { LABEL: "arguments" });
    });
  });

  public argument = this.RULE("argument", () => {
    this.OPTION(() => {
      this.CONSUME(Identifier, { LABEL: "name" });
      this.CONSUME(Equals);
    });
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  // ------------------------------------------------------------ expressions, lowest precedence first

  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Plus, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(Minus, { LABEL: "operators" }) },
      ]);
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  public multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Star, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(Slash, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(Percent, { LABEL: "operators" }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  public unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Minus);
          this.SUBRULE(this.unary, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.atom, { LABEL: "operand" }) },
    ]);
  });

  public atom = this.RULE("atom", () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.CONSUME(Dims) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(In) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  public parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression, { LABEL: "inner" });
    this.CONSUME(RParen);
  });

  /** `[1, 1, 0, 0]` */
  public list = this.RULE("list", () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: "items" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: "items" });
      });
    });
    this.CONSUME(RBracket);
  });
}

let sharedParser: CnnParser | undefined;

/**
 * The parser instance. Building one runs Chevrotain's grammar analysis (tens of milliseconds), so it
 * is built once and reused: each parse assigns `parser.input`, which resets its state and errors.
 */
export function createParser(): CnnParser {
  sharedParser ??= new CnnParser();
  return sharedParser;
}

/** The grammar in Chevrotain's serialized form, for the syntax diagrams. */
export function serializedGrammar(): ISerializedGast[] {
  return createParser().getSerializedGastProductions();
}

