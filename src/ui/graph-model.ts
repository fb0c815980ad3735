// A workflow graph as plain data for pictures: nodes, factors (tool@version), plates as nested
// boxes with their number of values, and edges. Pure: the web view, `hyperstream graph --format
// dot|mermaid` and the tests all read this one model.
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { Node } from '../kinds/node.js';
import type { Plate } from '../plates/plate.js';
import { combinePlateValues } from '../plates/plate.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type {
  GraphEdge,
  GraphFactor,
  GraphNode,
  PlateBox,
  WorkflowGraphModel,
} from './api-types.js';

/**
 * The picture model of a workflow graph. Plates become nested boxes (a plate inside its parent's
 * box); a node on unrelated plates gets a box of their combination. A factor sits in its sink's
 * box, or in the box of an input on an enclosing plate when it reads one (a splitter runs once per
 * value of its source's plate), or — without a sink — in the box of its created plate's parent.
 */
export function workflowGraphModel(graph: WorkflowGraph): WorkflowGraphModel {
  const boxes = new Map<string, PlateBox>();
  const addPlateBox = (plate: Plate): string => {
    if (!boxes.has(plate.id)) {
      const parent = plate.parent ? addPlateBox(plate.parent) : undefined;
      boxes.set(plate.id, {
        id: plate.id,
        plates: [plate.id],
        metaKeys: [plate.metaKey],
        values: plate.values().length,
        parent,
        description: plate.description,
      });
    }
    return plate.id;
  };
  const boxOf = (node: Node): string | undefined => {
    // Nested plates collapse onto the deepest one; unrelated ones make a combination.
    const leaves = node.plates.filter(
      (plate) => !node.plates.some((other) => other !== plate && other.isDescendantOf(plate)),
    );
    const unique = [...new Map(leaves.map((plate) => [plate.id, plate])).values()];
    if (unique.length === 0) return undefined;
    if (unique.length === 1) return addPlateBox(unique[0]!);
    const sorted = [...unique].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const id = sorted.map((plate) => plate.id).join(' × ');
    if (!boxes.has(id)) {
      boxes.set(id, {
        id,
        plates: sorted.map((plate) => plate.id),
        metaKeys: sorted.map((plate) => plate.metaKey),
        values: combinePlateValues(sorted).length,
        parent: undefined,
        description: '',
      });
    }
    return id;
  };

  const nodeBoxes = new Map<string, string | undefined>();
  const nodes: GraphNode[] = graph.nodes.map((node) => {
    const box = boxOf(node);
    nodeBoxes.set(node.id, box);
    return {
      id: node.id,
      channel: node.channelId,
      plates: node.plates.map((plate) => plate.id),
      streams: node.plates.length ? node.plateValues().length : 1,
      box,
      producer: graph.producerOf(node.id)?.id,
    };
  });

  const ancestorsOf = (box: string | undefined): string[] => {
    const out: string[] = [];
    for (let b = box; b !== undefined; b = boxes.get(b)?.parent) out.push(b);
    return out;
  };
  const factorBox = (factor: Factor): string | undefined => {
    const kind = kindOf(factor);
    const sink = kind.sink(factor);
    if (!sink) {
      const parent = kind.createdPlate(factor)?.parent;
      return parent ? addPlateBox(parent) : undefined;
    }
    const sinkBox = nodeBoxes.get(sink.id);
    const enclosing = ancestorsOf(sinkBox).slice(1);
    // The outermost enclosing box that one of its inputs sits in (a splitter's source plate).
    let chosen = sinkBox;
    for (const input of kind.inputs(factor)) {
      const inputBox = nodeBoxes.get(input.id);
      const at = inputBox === undefined ? -1 : enclosing.indexOf(inputBox);
      if (at >= 0 && (chosen === sinkBox || enclosing.indexOf(chosen!) < at)) chosen = inputBox;
    }
    return chosen;
  };

  const factors: GraphFactor[] = graph.factors.map((factor) => {
    const kind = kindOf(factor);
    return {
      id: factor.id,
      kind: factor.kind,
      tool: { name: factor.tool.name, version: factor.tool.version },
      label: `${factor.tool.name}@${factor.tool.version}`,
      inputs: uniqueIds(kind.inputs(factor).map((node) => node.id)),
      sink: kind.sink(factor)?.id,
      createdPlate: kind.createdPlate(factor)?.id,
      box: factorBox(factor),
    };
  });

  const edges: GraphEdge[] = [];
  for (const factor of factors) {
    for (const input of factor.inputs) {
      edges.push({ from: { kind: 'node', id: input }, to: { kind: 'factor', id: factor.id } });
    }
    if (factor.sink !== undefined) {
      edges.push({
        from: { kind: 'factor', id: factor.id },
        to: { kind: 'node', id: factor.sink },
      });
    }
  }

  const depth = (box: PlateBox): number => ancestorsOf(box.id).length;
  return {
    workflow: graph.id,
    nodes,
    factors,
    boxes: [...boxes.values()].sort((a, b) => depth(a) - depth(b)),
    edges,
  };
}

function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
