import { useSearchParams } from 'react-router';
import { LiveCalls } from './LiveCalls';
import { parseTapFilters, writeTapFilters, type TapResource } from './url';

/** The resource page's "Live calls" tab: filters beside the page's own URL parameters. */
export function LiveCallsTab({ resource }: { resource: TapResource }) {
  const [params, setParams] = useSearchParams();
  const filters = parseTapFilters(params);
  return (
    <LiveCalls
      resource={resource}
      filters={filters}
      onFilters={(f) => setParams(writeTapFilters(params, f), { replace: true })}
    />
  );
}
