import { lazy, Suspense } from 'react';
import { LoadingState } from '../../components/StateViews';
import type { TopologyGraphProps } from './graph/TopologyGraph';

// cytoscape is the largest dependency; it loads after the first paint of the page.
const LazyGraph = lazy(() =>
  import('./graph/TopologyGraph').then((m) => ({ default: m.TopologyGraph })),
);

export function TopologyView(props: TopologyGraphProps) {
  return (
    <Suspense fallback={<LoadingState label="Loading graph…" />}>
      <LazyGraph {...props} />
    </Suspense>
  );
}
