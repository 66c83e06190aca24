import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiProvider } from './api/ApiContext';
import { createApiClient } from './api/client';
import { createQueryClient } from './api/queryClient';
import { readBasePath } from './lib/basePath';
import { createRoutes } from './routes';
import './styles.css';

const basePath = readBasePath(document);
const router = createBrowserRouter(createRoutes(basePath), {
  ...(basePath === '/' ? {} : { basename: basePath }),
});
const queryClient = createQueryClient();
const api = createApiClient({ basePath });

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ApiProvider client={api}>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </ApiProvider>
    </StrictMode>,
  );
}
