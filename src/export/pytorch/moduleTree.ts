// The generated module's submodules, nested so that their state_dict keys are cnnc's weight names:
// a layer `layer1.0.conv1` becomes `self.layer1["0"]["conv1"]` inside nn.ModuleDict containers, so its
// weight loads as `layer1.0.conv1.weight`. Names PyTorch cannot register are reported, not mangled.
import type { Node } from "../../ir/graph.js";
import { isPythonIdentifier, pythonString } from "./pythonText.js";
import type { ExportProblem } from "./problems.js";

/**
 * Attributes every nn.Module has (torch 2.x): a submodule of one of these names cannot be registered
 * (add_module refuses it), or would be shadowed by the method. test/export/pytorch/torchForward.test.ts
 * checks the list against the installed torch.
 */
export const MODULE_ATTRIBUTES: readonly string[] = [
  "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda", "double",
  "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half",
  "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
  "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
  "register_full_backward_pre_hook", "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module",
  "register_parameter", "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state",
  "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu", "zero_grad",
];

/** What nn.ModuleDict adds: keys of these names clash with its methods. */
export const MODULE_DICT_ATTRIBUTES: readonly string[] = ["clear", "items", "keys", "pop", "update", "values"];

/** Attributes of the modules a layer becomes: a sublayer of one of these names would clash with them. */
const LEAF_ATTRIBUTES: readonly string[] = [
  "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "transposed", "output_padding", "groups", "padding_mode",
  "weight", "bias", "in_features", "out_features", "num_features", "eps", "momentum", "affine", "track_running_stats", "running_mean",
  "running_var", "num_batches_tracked",
];

/** One layer that owns weights, with the constructor text of its torch.nn module. */
export interface LeafModule {
  node: Node;
  constructor: string;
}

/**
 * A name in the tree: a layer's module, a group of layers (an nn.ModuleDict), or both: cnnc may name a
 * layer `conv2` and another `conv2.conv`, and PyTorch then holds the second as a submodule of the
 * first's Conv2d (its weights load as `conv2.weight` and `conv2.conv.weight`).
 */
interface TreeEntry {
  leaf?: LeafModule;
  children: Map<string, TreeEntry>;
}

export interface ModuleTree {
  /** `__init__`'s body lines (without indentation of the method itself). */
  initLines: string[];
  /** The Python expression of the layer's module: `self.c1`, `self.layer1["0"]["conv1"]`. */
  accessor(node: Node): string;
}

/** What a member of `parent` (undefined: of the network's module) may not be called. */
function reservedNames(parent: TreeEntry | undefined): readonly string[] {
  if (parent === undefined) return MODULE_ATTRIBUTES;
  return parent.leaf === undefined ? [...MODULE_ATTRIBUTES, ...MODULE_DICT_ATTRIBUTES] : [...MODULE_ATTRIBUTES, ...LEAF_ATTRIBUTES];
}

export function buildModuleTree(leaves: readonly LeafModule[]): ModuleTree | ExportProblem {
  const root: TreeEntry = { children: new Map() };
  for (const leaf of leaves) {
    let entry = root;
    for (const segment of leaf.node.name.split(".")) {
      let child = entry.children.get(segment);
      if (child === undefined) entry.children.set(segment, (child = { children: new Map() }));
      entry = child;
    }
    if (entry.leaf !== undefined) throw new Error(`internal: two layers are named ${leaf.node.name}`);
    entry.leaf = leaf;
  }
  const accessors = new Map<Node, string>();
  const initLines: string[] = [];
  // Each name once its parent exists: a group is written whole (an nn.ModuleDict literal), a layer's
  // own sublayers are attached to its module after it.
  const visit = (entry: TreeEntry, accessor: string, path: string): ExportProblem | undefined => {
    for (const [name, child] of entry.children) {
      const childPath = path === "" ? name : `${path}.${name}`;
      // nn.Module keeps its own state in `_`-prefixed attributes (_parameters, _modules, ...).
      if (name === "" || name.startsWith("_") || reservedNames(entry === root ? undefined : entry).includes(name)) {
        return reservedName(firstLeaf(child), name, childPath);
      }
      let childAccessor: string;
      if (entry === root) {
        childAccessor = isPythonIdentifier(name) ? `self.${name}` : `getattr(self, ${pythonString(name)})`;
        initLines.push(isPythonIdentifier(name) ? `self.${name} = ${moduleText(child, "")}` : `self.add_module(${pythonString(name)}, ${moduleText(child, "")})`);
      } else if (entry.leaf !== undefined) {
        childAccessor = isPythonIdentifier(name) ? `${accessor}.${name}` : `getattr(${accessor}, ${pythonString(name)})`;
        initLines.push(`${accessor}.add_module(${pythonString(name)}, ${moduleText(child, "")})`);
      } else {
        childAccessor = `${accessor}[${pythonString(name)}]`;
      }
      if (child.leaf !== undefined) accessors.set(child.leaf.node, childAccessor);
      const problem = visit(child, childAccessor, childPath);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  const problem = visit(root, "self", "");
  if (problem !== undefined) return problem;
  return {
    initLines: initLines.flatMap((text) => text.split("\n")),
    accessor: (node) => {
      const accessor = accessors.get(node);
      if (accessor === undefined) throw new Error(`internal: layer ${node.name} has no module`);
      return accessor;
    },
  };
}

/** A layer's constructor, or an nn.ModuleDict of a group's members, indented under `indent`. */
function moduleText(entry: TreeEntry, indent: string): string {
  if (entry.leaf !== undefined) return entry.leaf.constructor;
  const inner = `${indent}    `;
  const lines = [...entry.children].map(([name, child]) => `${inner}${pythonString(name)}: ${moduleText(child, inner)},`);
  return `nn.ModuleDict({\n${lines.join("\n")}\n${indent}})`;
}

function firstLeaf(entry: TreeEntry): Node {
  if (entry.leaf !== undefined) return entry.leaf.node;
  const [first] = entry.children.values();
  if (first === undefined) throw new Error("internal: an empty group of layers");
  return firstLeaf(first);
}

function reservedName(node: Node, segment: string, path: string): ExportProblem {
  return {
    node,
    code: "export-reserved-name",
    message:
      segment === ""
        ? `layer \`${node.name}\` cannot keep its name in PyTorch: it has an empty name part`
        : segment.startsWith("_")
          ? `layer \`${node.name}\` cannot keep its name in PyTorch: \`${path}\` would be a submodule named \`${segment}\`, and names starting with \`_\` are nn.Module's own attributes`
          : `layer \`${node.name}\` cannot keep its name in PyTorch: \`${path}\` would be a submodule named \`${segment}\`, which is already an attribute of the module holding it`,
    hint: "rename the layer with `as NAME` (its weight names change with it)",
  };
}
