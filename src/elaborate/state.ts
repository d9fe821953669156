// The state elaboration threads through bodies, chains and calls.
import type { SourceSpan } from "../../grammar/ast.js";
import type { FileDefs } from "./definitions.js";
import type { GraphBuilder } from "./graphBuilder.js";
import type { LayerNames } from "./names.js";
import type { Reporter } from "./reporter.js";
import type { Scope } from "./scope.js";

/** A value flowing through a chain: a node id, or undefined when an earlier error left it unknown. */
export interface Flow {
  node: number | undefined;
}

export const UNKNOWN: Flow = { node: undefined };

export interface NamedValue {
  flow: Flow;
  span: SourceSpan;
  kind: "input" | "statement" | "in";
  used: boolean;
}

/** Whole-network state. */
export interface Elaboration {
  reporter: Reporter;
  builder: GraphBuilder;
  names: LayerNames;
  /** Blocks being expanded, outermost first: `file:name` keys, for recursion detection. */
  blockStack: { key: string; name: string }[];
  /** Counts of the repetitions being expanded, outermost first, for size-limit messages. */
  repeatCounts: number[];
  /** Steps of elaboration taken so far, bounded by MAX_ELABORATION_STEPS (sizeLimits.ts). */
  steps: number;
}

/** One network body or one block instance. */
export interface BodyFrame {
  kind: "network" | "block";
  file: FileDefs;
  scope: Scope;
  /** Prefix of every layer name made in this body: "" or "layer1.0.". */
  prefix: string;
  values: Map<string, NamedValue>;
  /** The implicit input of the next chain: the previous statement's value. */
  current: Flow | undefined;
  /** The named value `current` came from, if any (using it implicitly counts as a use). */
  currentName: string | undefined;
  /** An unnamed statement whose result nothing has read yet. */
  pendingResult: SourceSpan | undefined;
  /**
   * Names of this body's statements not elaborated yet. Using one is a forward reference, the only way
   * to write a cycle, so it gets its own error rather than "unknown layer".
   */
  later: Map<string, SourceSpan>;
  /** The nodes a network's `outputs` statement names, in its order, once it elaborated without error. */
  declaredOutputs?: number[];
}

/** How the steps of a chain are named. */
export interface StepNaming {
  prefix: string;
  /** The statement's name while its first layer has not been named yet, then the base of `name.op`. */
  statement?: string;
  statementUsed: boolean;
  /** For a repetition whose body is one call: that call is named exactly this (`layer1.0`). */
  exactName?: string;
  /**
   * A statement numbered like nn.Sequential (sequential.ts): each block call, repetitions included, is
   * the next child `base.<next>`.
   */
  sequence?: { base: string; next: number };
}
