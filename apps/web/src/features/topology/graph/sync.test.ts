import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import type { GraphEdgeModel, GraphNodeModel } from '../model';
import { syncElements, toElements } from './sync';

const node = (id: string, rps: number, parent?: string): GraphNodeModel => ({
  id,
  label: id,
  health: 'healthy',
  rps,
  ...(parent === undefined ? {} : { parent }),
});
const edge = (source: string, target: string, rps: number): GraphEdgeModel => ({
  id: `${source}->${target}`,
  source,
  target,
  label: `${rps} rps`,
  hoverLabel: `${rps} rps · 100%`,
  health: 'healthy',
  rps,
  mtls: 'mtls',
});

describe('syncElements', () => {
  it('touches only the elements whose values changed on a refresh, and removes the gone ones', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const input = {
      layoutKey: 'sync-test-1',
      backdropBoxes: false,
      large: false,
      nodes: [node('a', 10), node('b', 5), node('c', 1)],
      edges: [edge('a', 'b', 5), edge('b', 'c', 1)],
    };
    syncElements(cy, input);
    expect(cy.nodes().map((n) => n.id())).toEqual(['a', 'b', 'c']);
    const changed: string[] = [];
    cy.on('data', (e) => {
      changed.push((e.target as cytoscape.SingularElementArgument).id());
    });
    // the same values in new objects: nothing is pushed
    syncElements(cy, { ...input, nodes: input.nodes.map((n) => ({ ...n })) });
    expect(changed).toEqual([]);
    // one edge's rate moved: that edge only
    syncElements(cy, { ...input, edges: [edge('a', 'b', 5), edge('b', 'c', 2)] });
    expect(changed).toEqual(['b->c']);
    syncElements(cy, { ...input, nodes: input.nodes.slice(0, 2), edges: [edge('a', 'b', 5)] });
    expect(cy.nodes().map((n) => n.id())).toEqual(['a', 'b']);
    expect(cy.edges().map((e) => e.id())).toEqual(['a->b']);
    cy.destroy();
  });

  it("draws big graphs' boxes as plain nodes around their members", () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    syncElements(cy, {
      layoutKey: 'sync-test-2',
      backdropBoxes: true,
      large: true,
      nodes: [
        node('a', 1, 'box:ns'),
        node('b', 1, 'box:ns'),
        { ...node('box:ns', 0), role: 'box' },
      ],
      edges: [edge('a', 'b', 1)],
    });
    const box = cy.getElementById('box:ns');
    expect(box.isParent()).toBe(false);
    expect(box.hasClass('backdrop')).toBe(true);
    const [a, b] = [cy.getElementById('a').position(), cy.getElementById('b').position()];
    // both at the top rate: 40 px nodes; 18 px padding on each side
    expect(box.position()).toEqual({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
    expect(box.data('w')).toBe(Math.abs(b.x - a.x) + 40 + 36);
    expect(box.data('h')).toBe(Math.abs(b.y - a.y) + 40 + 36);
    cy.destroy();
  });
});

describe('toElements', () => {
  const nodes = [node('a', 90), node('b', 30)];
  const edges = [edge('a', 'b', 12.3)];

  it('keeps exact sizes and edge labels in small graphs', () => {
    const els = toElements(nodes, edges, false, false);
    expect(els.nodes[0]?.data.size).toBe(40);
    expect(els.nodes[1]?.data.size).toBeCloseTo(18 + 22 * Math.sqrt(30 / 90), 10);
    expect(els.edges[0]?.data.label).toBe('12.3 rps');
    expect(els.edges[0]?.data.hoverLabel).toBe('12.3 rps · 100%');
  });

  it('steps sizes against a power-of-two top rate in big graphs, and carries no edge text', () => {
    const before = toElements(nodes, edges, false, true);
    // the busiest node moves from 90 to 95 rps: both under 128, no node changes size
    const after = toElements([node('a', 95), node('b', 30)], edges, false, true);
    expect(before.nodes.map((n): unknown => n.data.size)).toEqual([36, 28]);
    expect(after.nodes.map((n): unknown => n.data.size)).toEqual([36, 28]);
    expect(before.edges[0]?.data.label).toBeUndefined();
    expect(before.edges[0]?.data.hoverLabel).toBeUndefined();
    // 1 + 3 * sqrt(12.3 / 16) = 3.63, in half-pixel steps
    expect(before.edges[0]?.data.width).toBe(3.5);
  });
});
