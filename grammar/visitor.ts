// CST → AST. One method per grammar rule (Chevrotain's visitor checks that none is missing). Each
// method receives the rule's children and, as the visitor parameter, the node's location, from which
// the AST spans come. After error recovery any child may be missing: a node whose essential parts
// (a name, a value) are missing is left out of the AST; the syntax diagnostics say what is wrong.
// The visitor also enforces what the grammar cannot: argument order, alias parts, numbers that can be
// represented, and the size of expressions (which later stages walk recursively). The expression rules
// and the helpers are in expressionVisitor.ts.
import type {
  Argument,
  BlockDecl,
  BlockParam,
  BodyStmt,
  CallStep,
  Chain,
  ConstStmt,
  InputStmt,
  LayerStmt,
  NetworkDecl,
  OutputsStmt,
  Program,
  RepeatStep,
  SourceSpan,
  Step,
  TopLevel,
  TrainDecl,
  TrainSetting,
  UseDecl,
} from "./ast.js";
import { anyTokens, childNode, childNodes, realToken, realTokens } from "./cstAccess.js";
import { makeDiagnostic } from "./diagnostics.js";
import { type Children, ExpressionVisitor, type Location } from "./expressionVisitor.js";
import { tooManyArguments } from "./limits.js";
import { joinSpans } from "./spans.js";
import { decodeString } from "./strings.js";
import { NumberLiteral } from "./tokens.js";

export class AstBuilder extends ExpressionVisitor {
  constructor(file: string) {
    super(file);
    this.validateVisitor();
  }

  // ------------------------------------------------------------ top level

  program(children: Children): Program {
    const items: TopLevel[] = [];
    for (const rule of ["useDecl", "constDecl", "blockDecl", "networkDecl", "trainDecl"]) {
      for (const item of this.buildAll<TopLevel>(childNodes(children, rule))) items.push(item);
    }
    // The OR in `program` files items by rule; put them back in source order.
    items.sort((a, b) => a.span.startOffset - b.span.startOffset);
    return { file: this.file, items };
  }

  useDecl(children: Children, location: Location): UseDecl | undefined {
    const pathToken = realToken(children, "path");
    const span = this.span(location);
    if (pathToken === undefined || span === undefined) return undefined;
    return { kind: "use", path: decodeString(pathToken.image).value, span };
  }

  constDecl(children: Children, location: Location): ConstStmt | undefined {
    const nameToken = realToken(children, "name");
    const value = this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (nameToken === undefined || value === undefined || span === undefined) return undefined;
    return { kind: "const", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), value, span };
  }

  blockDecl(children: Children, location: Location): BlockDecl | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const params = this.buildAll<BlockParam>(childNodes(children, "params"));
    const body = this.build<BodyStmt[]>(childNode(children, "body")) ?? [];
    return { kind: "block", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), params, body, span };
  }

  blockParam(children: Children, location: Location): BlockParam | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const param: BlockParam = { name: nameToken.image, span };
    const defaultValue = this.bounded(childNode(children, "default"));
    if (defaultValue !== undefined) param.default = defaultValue;
    return param;
  }

  networkDecl(children: Children, location: Location): NetworkDecl | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const body = this.build<BodyStmt[]>(childNode(children, "body")) ?? [];
    return { kind: "network", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), body, span };
  }

  trainDecl(children: Children, location: Location): TrainDecl | undefined {
    const span = this.span(location);
    if (span === undefined) return undefined;
    return { kind: "train", settings: this.buildAll<TrainSetting>(childNodes(children, "trainSetting")), span };
  }

  trainSetting(children: Children, location: Location): TrainSetting | undefined {
    const keyToken = realToken(children, "key");
    const value = this.build<CallStep>(childNode(children, "call")) ?? this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (keyToken === undefined || value === undefined || span === undefined) return undefined;
    return { key: keyToken.image, keySpan: this.tokenSpan(keyToken), value, span };
  }

  trainCall(children: Children, location: Location): CallStep | undefined {
    const calleeToken = realToken(children, "callee");
    const span = this.span(location);
    if (calleeToken === undefined || span === undefined) return undefined;
    const args = this.build<Argument[]>(childNode(children, "argumentList")) ?? [];
    return { kind: "call", callee: calleeToken.image, calleeSpan: this.tokenSpan(calleeToken), args, hasParens: true, span };
  }

  // ------------------------------------------------------------ statements

  body(children: Children): BodyStmt[] {
    return this.buildAll<BodyStmt>(childNodes(children, "statement"));
  }

  statement(children: Children): BodyStmt | undefined {
    const node = childNode(children, "inputStmt") ?? childNode(children, "outputsStmt") ?? childNode(children, "constDecl") ?? childNode(children, "layerStmt");
    return this.build<BodyStmt>(node);
  }

  inputStmt(children: Children, location: Location): InputStmt | undefined {
    const nameToken = realToken(children, "name");
    const dims = this.bounded(childNode(children, "dims"));
    const span = this.span(location);
    if (nameToken === undefined || dims === undefined || span === undefined) return undefined;
    return { kind: "input", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), dims, span };
  }

  outputsStmt(children: Children, location: Location): OutputsStmt | undefined {
    const names = realTokens(children, "names").map((token) => ({ name: token.image, span: this.tokenSpan(token) }));
    const span = this.span(location);
    if (names.length === 0 || span === undefined) return undefined;
    return { kind: "outputs", names, span };
  }

  layerStmt(children: Children, location: Location): LayerStmt | undefined {
    const chain = this.build<Chain>(childNode(children, "chain"));
    const span = this.span(location);
    if (chain === undefined || span === undefined) return undefined;
    const statement: LayerStmt = { kind: "layer", chain, span };
    const nameToken = realToken(children, "name");
    if (nameToken !== undefined) {
      statement.name = nameToken.image;
      statement.nameSpan = this.tokenSpan(nameToken);
    }
    return statement;
  }

  chain(children: Children, location: Location): Chain | undefined {
    const steps = this.buildAll<Step>(childNodes(children, "steps"));
    const span = this.span(location);
    if (steps.length === 0 || span === undefined) return undefined;
    return { steps, span };
  }

  step(children: Children): Step | undefined {
    return this.build<Step>(childNode(children, "callStep") ?? childNode(children, "repeatStep"));
  }

  callStep(children: Children, location: Location): CallStep | undefined {
    const calleeToken = realToken(children, "callee");
    const span = this.span(location);
    if (calleeToken === undefined || span === undefined) return undefined;
    const hasParens = anyTokens(children, "LParen").length > 0;
    const args = this.build<Argument[]>(childNode(children, "argumentList")) ?? [];
    const step: CallStep = { kind: "call", callee: calleeToken.image, calleeSpan: this.tokenSpan(calleeToken), args, hasParens, span };
    const alias = this.build<{ alias: string; span: SourceSpan }>(childNode(children, "aliasPath"));
    if (alias !== undefined) {
      step.alias = alias.alias;
      step.aliasSpan = alias.span;
    }
    const at = realToken(children, "At");
    const kind = realToken(children, "scheduleKind");
    if (at !== undefined && kind !== undefined) {
      const kindSpan = this.tokenSpan(kind);
      step.schedule = { kind: kind.image, span: joinSpans(this.tokenSpan(at), kindSpan), kindSpan };
    }
    return step;
  }

  aliasPath(children: Children, location: Location): { alias: string; span: SourceSpan } | undefined {
    const parts = realTokens(children, "parts");
    const span = this.span(location);
    if (parts.length === 0 || span === undefined) return undefined;
    for (const part of parts) {
      // `downsample.0.1` lexes `0.1` as one number, which is fine; a number with an exponent (`1e3`,
      // `0.5e2`) is not a path part. Names are, whatever letter they start with (`expand1x1`, `encoder`).
      if (part.tokenType === NumberLiteral && /[eE]/.test(part.image)) {
        this.diagnostics.push(
          makeDiagnostic("syntax", `'${part.image}' is not a valid part of a layer name`, this.tokenSpan(part), {
            hint: "layer names after 'as' are names and whole numbers separated by '.', e.g. `as layer1.0.conv1`",
          }),
        );
      }
    }
    return { alias: parts.map((part) => part.image).join("."), span };
  }

  repeatStep(children: Children, location: Location): RepeatStep | undefined {
    const body = this.build<Chain>(childNode(children, "body"));
    const count = this.bounded(childNode(children, "count"));
    const span = this.span(location);
    if (body === undefined || count === undefined || span === undefined) return undefined;
    return { kind: "repeat", body, count, span };
  }

  argumentList(children: Children, location: Location): Argument[] {
    const nodes = childNodes(children, "arguments");
    const span = this.span(location);
    const tooMany = span === undefined ? undefined : tooManyArguments(nodes.length, span);
    if (tooMany !== undefined) {
      this.diagnostics.push(tooMany);
      return [];
    }
    const args = this.buildAll<Argument>(nodes);
    const firstNamed = args.find((arg) => arg.name !== undefined);
    for (const arg of args) {
      if (firstNamed !== undefined && arg.name === undefined && arg.span.startOffset > firstNamed.span.startOffset) {
        this.diagnostics.push(
          makeDiagnostic("syntax", "positional argument after a named argument", arg.span, {
            hint: `put positional arguments before named ones (here before '${firstNamed.name ?? ""}='), or give this one its name`,
          }),
        );
      }
    }
    return args;
  }

  argument(children: Children, location: Location): Argument | undefined {
    const value = this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (value === undefined || span === undefined) return undefined;
    const argument: Argument = { value, span };
    const nameToken = realToken(children, "name");
    if (nameToken !== undefined) {
      argument.name = nameToken.image;
      argument.nameSpan = this.tokenSpan(nameToken);
    }
    return argument;
  }
}
