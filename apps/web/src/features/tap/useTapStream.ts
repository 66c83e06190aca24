import type { TapEvent, TapInfo } from '@meshlens/contract';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../../api/ApiContext';
import type { QueryParams } from '../../api/client';
import { errorMessage } from '../../components/StateViews';

export type TapStatus = 'connecting' | 'live' | 'paused' | 'ended' | 'error';

export interface TapStream {
  status: TapStatus;
  error: string | undefined;
  info: TapInfo | undefined;
  proxyErrors: { pod: string; message: string }[];
}

/**
 * Streams GET /api/v1/tap while `running` (pausing closes the stream: the proxies stop tapping).
 * Events are handed to `onEvent` as they come; the view renders from its own bounded store.
 */
export function useTapStream(
  query: QueryParams,
  running: boolean,
  onEvent: (e: TapEvent) => void,
): TapStream {
  const api = useApi();
  const [state, setState] = useState<TapStream>({
    status: 'connecting',
    error: undefined,
    info: undefined,
    proxyErrors: [],
  });
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(query);

  useEffect(() => {
    if (!running) {
      setState((s) => ({ ...s, status: 'paused' }));
      return;
    }
    const ctl = new AbortController();
    setState({ status: 'connecting', error: undefined, info: undefined, proxyErrors: [] });
    const q = JSON.parse(key) as QueryParams;
    api
      .tap(
        q,
        {
          onInfo: (info) => setState((s) => ({ ...s, status: 'live', info })),
          onEvent: (e) => handler.current(e),
          onProxyError: (err) =>
            setState((s) => ({ ...s, proxyErrors: [...s.proxyErrors, err].slice(-20) })),
        },
        ctl.signal,
      )
      .then(
        () => {
          if (!ctl.signal.aborted) setState((s) => ({ ...s, status: 'ended' }));
        },
        (err: unknown) => {
          if (!ctl.signal.aborted)
            setState((s) => ({ ...s, status: 'error', error: errorMessage(err) }));
        },
      );
    return () => ctl.abort();
  }, [api, key, running]);

  return state;
}
