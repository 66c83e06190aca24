import { NavLink, Outlet, useLocation } from 'react-router';
import { Suspense } from 'react';
import { LoadingState } from '../../components/StateViews';
import { CopyLink } from './CopyLink';
import { StatusBanner } from './StatusBanner';
import { TIME_KEYS } from '../../lib/timeUrl';
import { TimeBars } from './time/TimeBars';
import { TimeProvider } from './time/TimeProvider';
import { TimeControls } from './TimeControls';

export interface LayoutProps {
  basePath: string;
}

/** Navigation keeps the time part of the URL so switching views keeps the period. */
function keepTime(search: string): string {
  const src = new URLSearchParams(search);
  const p = new URLSearchParams();
  for (const k of TIME_KEYS) {
    const v = src.get(k);
    if (v !== null) p.set(k, v);
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

export function Layout({ basePath }: LayoutProps) {
  const { search, pathname } = useLocation();
  const t = keepTime(search);
  const overviewActive = pathname === '/' || pathname.startsWith('/namespaces');
  return (
    <TimeProvider>
      <div className="app">
        <header className="topbar">
          <NavLink to={`/${t}`} className="brand" aria-label="meshlens overview">
            <span className="brand-mark" aria-hidden="true">
              ◎
            </span>{' '}
            meshlens
          </NavLink>
          <nav aria-label="Main">
            <NavLink to={`/${t}`} className={() => (overviewActive ? 'active' : '')}>
              Overview
            </NavLink>
            <NavLink to={`/traces${t}`}>Traces</NavLink>
            <NavLink to={`/controlplane${t}`}>Mesh health</NavLink>
            <NavLink to="/tap">Live calls</NavLink>
          </nav>
          <div className="topbar-right">
            <TimeControls />
            <CopyLink basePath={basePath} />
          </div>
        </header>
        <StatusBanner />
        <TimeBars />
        <main className="content">
          <Suspense fallback={<LoadingState />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </TimeProvider>
  );
}
