// Lexer tokens of the .cnn language. Order matters: Chevrotain tries patterns in array order, so
// longer or more specific tokens come first (`->` before `-`, `3x3` dims before plain integers,
// keywords before identifiers with `longer_alt` so that `inputs` or `network2` stay identifiers).
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
/** `# ...` to the end of the line. Skipped: comments never reach the parser. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });

/**
 * Double-quoted string with backslash escapes. The closing quote is optional in the pattern so that
 * an unterminated string still becomes one token; lexicalDiagnostics.ts reports it.
 */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\r\n]|\\.)*"?/, label: "a string" });
/** `3x3`, `1x32x32`: one token, tried before NumberLiteral so that `3x3` is not `3` followed by `x3`. */
export const Dims = createToken({ name: "Dims", pattern: /\d+(?:x\d+)+/, label: "dims like 3x3" });
/** `12`, `0.5`, `1e-5`, `2.5E3`. */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, label: "a number" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: string): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}
export const Network = keyword("network");
export const Block = keyword("block");
// `input` must precede `in` in the token list: both match the start of "input".
export const Input = keyword("input");
export const In = keyword("in");
export const Const = keyword("const");
export const Use = keyword("use");
export const Train = keyword("train");
export const As = keyword("as");
/** `outputs a, b`: the network's outputs when there are several (otherwise its last statement). */
export const Outputs = keyword("outputs");

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "'->'" });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "';'" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "'-'" });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: "Percent", pattern: /%/, label: "'%'" });
/** `@winograd`: a layer's schedule annotation. */
export const At = createToken({ name: "At", pattern: /@/, label: "'@'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  Dims,
  NumberLiteral,
  Arrow,
  Network,
  Block,
  Input,
  In,
  Const,
  Use,
  Train,
  As,
  Outputs,
  Identifier,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Equals,
  Colon,
  Semicolon,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
];

export const keywordTokens: TokenType[] = [Network, Block, Input, In, Const, Use, Train, As, Outputs];

// Only "\n" ends a line, as in the diagnostics formatter (a "\r" before it stays part of the line).
export const cnnLexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: true,
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ["\n"],
});
