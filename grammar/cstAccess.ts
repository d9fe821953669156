// Typed access to CST children. Chevrotain's generated CST types would declare children that the
// grammar requires as always present, but error recovery can leave any of them out, so the visitor
// reads children through these helpers, which return undefined or [] for whatever is missing.
import type { CstChildrenDictionary, CstElement, CstNode, IToken } from "chevrotain";
import { isRealToken } from "./spans.js";

function isCstNode(element: CstElement): element is CstNode {
  return "children" in element;
}

export function childNodes(children: CstChildrenDictionary, label: string): CstNode[] {
  return (children[label] ?? []).filter(isCstNode);
}

export function childNode(children: CstChildrenDictionary, label: string): CstNode | undefined {
  return childNodes(children, label)[0];
}

/** All tokens under `label`, including ones that recovery inserted (their type is still meaningful). */
export function anyTokens(children: CstChildrenDictionary, label: string): IToken[] {
  return (children[label] ?? []).filter((element): element is IToken => !isCstNode(element));
}

/** The tokens under `label` that come from the source text. */
export function realTokens(children: CstChildrenDictionary, label: string): IToken[] {
  return anyTokens(children, label).filter(isRealToken);
}

export function realToken(children: CstChildrenDictionary, label: string): IToken | undefined {
  return realTokens(children, label)[0];
}
