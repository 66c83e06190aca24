import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { Layout } from './features/shell/Layout';
import { NotFoundPage } from './features/shell/NotFoundPage';
import { OverviewPage } from './features/overview/OverviewPage';

// Everything but the first view is split out: the overview is what most people open.
const ResourcePage = lazy(() =>
  import('./features/resource/ResourcePage').then((m) => ({ default: m.ResourcePage })),
);
const TracesPage = lazy(() =>
  import('./features/traces/TracesPage').then((m) => ({ default: m.TracesPage })),
);
const TraceViewPage = lazy(() =>
  import('./features/traces/TraceViewPage').then((m) => ({ default: m.TraceViewPage })),
);
const MeshHealthPage = lazy(() =>
  import('./features/controlplane/MeshHealthPage').then((m) => ({ default: m.MeshHealthPage })),
);
const TapPage = lazy(() => import('./features/tap/TapPage').then((m) => ({ default: m.TapPage })));

/**
 * The synthetic-graph page exists only in bench builds (`vite build --mode bench`, see
 * bench/web.bench.ts). Vite replaces `import.meta.env.MODE` at build time, so a production
 * build drops the branch and the page's chunk altogether.
 */
function benchRoutes(): RouteObject[] {
  if (import.meta.env.MODE !== 'bench') return [];
  const GraphBenchPage = lazy(() =>
    import('./features/bench/GraphBenchPage').then((m) => ({ default: m.GraphBenchPage })),
  );
  // Synthetic graph for the benchmark; outside the layout, no API calls.
  return [{ path: '/_bench/graph', element: <GraphBenchPage /> }];
}

export function createRoutes(basePath: string): RouteObject[] {
  return [
    {
      element: <Layout basePath={basePath} />,
      children: [
        { path: '/', element: <OverviewPage /> },
        { path: '/namespaces/:ns', element: <OverviewPage /> },
        { path: '/namespaces/:ns/:kind/:name', element: <ResourcePage /> },
        { path: '/traces', element: <TracesPage /> },
        { path: '/traces/:traceId', element: <TraceViewPage /> },
        { path: '/controlplane', element: <MeshHealthPage /> },
        { path: '/tap', element: <TapPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
    ...benchRoutes(),
  ];
}
