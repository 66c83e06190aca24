import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { ApiProvider } from '../api/ApiContext';
import type { ApiClient } from '../api/client';
import { createRoutes } from '../routes';

/** Renders the real routes at `path` against a stubbed API client (unit tests only). */
export function renderWithApp(path: string, api: Partial<ApiClient>) {
  const reject = () => Promise.reject(new Error('not stubbed'));
  const client = new Proxy(api, {
    get: (target, key: string) => (target as Record<string, unknown>)[key] ?? reject,
  }) as ApiClient;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(createRoutes('/'), { initialEntries: [path] });
  const utils = render(
    <ApiProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ApiProvider>,
  );
  return { ...utils, router };
}
