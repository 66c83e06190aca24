// The graph's look, one stylesheet for every size: large graphs drop what costs most per frame
// (outlined labels, arrows, bezier edges) and keep the rest.
import type { StylesheetJson } from 'cytoscape';

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

export function stylesheet(large: boolean, light: boolean): StylesheetJson {
  const fg = cssVar('--fg', '#1f2933');
  const bg = cssVar('--bg', '#ffffff');
  const muted = cssVar('--muted', '#7b8794');
  const accent = cssVar('--accent', '#3b5bdb');
  const ok = cssVar('--ok', '#2f9e44');
  const warn = cssVar('--warn', '#d98e04');
  const bad = cssVar('--bad', '#d9480f');
  const edgeText = {
    'font-size': 9,
    color: muted,
    'text-rotation': 'autorotate',
    'text-background-color': bg,
    'text-background-opacity': 0.85,
    'text-background-padding': '2px',
    'min-zoomed-font-size': 8,
  } as const;
  return [
    {
      selector: 'node',
      style: {
        label: light ? '' : 'data(label)',
        'font-size': 11,
        color: fg,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-outline-color': bg,
        // Outlined text is the costliest part of a large first frame.
        'text-outline-width': large ? 0 : 2,
        width: 'data(size)',
        height: 'data(size)',
        'background-color': 'data(color)',
        'border-width': 2,
        'border-color': bg,
        'min-zoomed-font-size': large ? 10 : 7,
      },
    },
    { selector: 'node:selected', style: { 'border-color': fg, 'border-width': 3 } },
    { selector: 'node.dim', style: { opacity: 0.2 } },
    { selector: 'edge.dim', style: { opacity: 0.1 } },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': 'data(color)',
        // Haystack edges are cytoscape's fast path for big graphs (no arrows: direction is
        // left to right in the layered layout anyway).
        'curve-style': large ? 'haystack' : 'bezier',
        // Every property is applied to every edge: big graphs, which draw no edge labels, keep
        // the arrow and text ones for the hovered edge only.
        ...(large
          ? { 'target-arrow-shape': 'none', label: '' }
          : {
              'target-arrow-color': 'data(color)',
              'target-arrow-shape': 'triangle',
              'arrow-scale': 0.8,
              label: 'data(label)',
              ...edgeText,
            }),
      },
    },
    { selector: 'edge.plaintext', style: { 'line-style': 'dashed' } },
    { selector: 'node.path', style: { 'border-color': accent, 'border-width': 4 } },
    {
      selector: 'edge.path',
      style: { 'line-color': accent, 'target-arrow-color': accent, width: 5, 'z-index': 9 },
    },
    { selector: 'edge:selected', style: { 'line-color': fg, 'target-arrow-color': fg } },
    // Namespace boxes (compound nodes) and folded namespaces.
    {
      selector: 'node.box',
      style: {
        shape: 'round-rectangle',
        'background-color': muted,
        'background-opacity': 0.06,
        'border-color': muted,
        'border-width': 1,
        'border-style': 'dashed',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        'font-weight': 'bold',
        padding: '18px',
      },
    },
    {
      // Big graphs: the box is a plain node sized by its members (sync.ts), drawn under them.
      selector: 'node.backdrop',
      style: {
        width: 'data(w)',
        height: 'data(h)',
        padding: '0px',
        'z-compound-depth': 'bottom',
        'text-margin-y': -4,
      },
    },
    {
      selector: 'node.collapsed',
      style: {
        shape: 'round-rectangle',
        'border-style': 'double',
        'border-width': 4,
        'border-color': muted,
      },
    },
    // Compare: colour only what changed enough to matter.
    { selector: 'node.tone-bad', style: { 'border-color': bad, 'border-width': 4 } },
    { selector: 'node.tone-good', style: { 'border-color': ok, 'border-width': 4 } },
    { selector: 'node.tone-change', style: { 'border-color': warn, 'border-width': 4 } },
    { selector: 'edge.tone-none', style: { 'line-color': muted, 'target-arrow-color': muted } },
    {
      selector: 'edge.tone-bad',
      style: { 'line-color': bad, 'target-arrow-color': bad, color: bad },
    },
    {
      selector: 'edge.tone-good',
      style: { 'line-color': ok, 'target-arrow-color': ok, color: ok },
    },
    {
      selector: 'edge.tone-change',
      style: { 'line-color': warn, 'target-arrow-color': warn, color: warn },
    },
    {
      selector: 'edge.hover',
      style: { label: 'data(hoverLabel)', 'z-index': 10, ...(large ? edgeText : {}) },
    },
  ];
}
