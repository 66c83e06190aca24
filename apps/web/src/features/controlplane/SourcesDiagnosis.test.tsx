import type { DiagnosisResponse } from '@meshlens/contract';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { ErrorState } from '../../components/StateViews';
import { SourcesDiagnosis } from './SourcesDiagnosis';

const data: DiagnosisResponse = {
  generatedAt: 1,
  sources: [
    {
      role: 'metrics',
      kind: 'prometheus',
      url: 'https://mimir.example/prometheus',
      healthy: true,
      error: null,
      dialect: 'linkerd',
      families: [
        {
          family: 'response_total',
          dialect: 'linkerd',
          purpose: 'requests, success rate, edges',
          series: 12,
          labelsFound: ['direction', 'namespace'],
          labelsMissing: ['deployment', 'pod'],
        },
        {
          family: 'istio_requests_total',
          dialect: 'istio',
          purpose: 'requests, success rate, edges',
          series: 0,
          labelsFound: [],
          labelsMissing: ['reporter'],
        },
      ],
      queries: ['count by (__name__) ({__name__=~"response_total|istio_requests_total"})'],
      hints: ['response_total has no `deployment`, `pod` label: add them in the scrape config.'],
    },
    {
      role: 'traces',
      kind: 'tempo',
      url: 'https://tempo.example',
      healthy: false,
      error: 'tempo at https://tempo.example: 401 Unauthorized: <b>no org id</b>',
      dialect: null,
      families: [],
      queries: [],
      hints: [],
    },
  ],
};

describe('data source diagnosis (mesh health)', () => {
  it('shows missing labels, hints, the PromQL run and each source’s failure', () => {
    render(<SourcesDiagnosis data={data} error={null} isLoading={false} onRetry={() => {}} />);
    const metrics = screen.getByRole('region', { name: 'Metrics: prometheus' });
    const row = within(metrics).getByTestId('family-response_total');
    expect(row.textContent).toContain('deployment, pod');
    expect(within(metrics).getByTestId('family-istio_requests_total').textContent).toContain(
      'not found',
    );
    expect(metrics.textContent).toContain('response_total has no `deployment`, `pod` label');
    expect(metrics.textContent).toContain('count by (__name__)');
    const traces = screen.getByRole('region', { name: 'Traces: tempo' });
    // backend text is data: rendered as text, never as markup
    expect(within(traces).getByRole('alert').textContent).toBe(
      'tempo at https://tempo.example: 401 Unauthorized: <b>no org id</b>',
    );
    expect(traces.querySelector('b')).toBeNull();
  });

  it('has loading and error states', () => {
    const { rerender } = render(
      <SourcesDiagnosis data={undefined} error={null} isLoading onRetry={() => {}} />,
    );
    expect(screen.getByRole('status').textContent).toContain('Checking data sources');
    rerender(
      <SourcesDiagnosis
        data={undefined}
        error={new ApiError('internal error', 500, 'internal')}
        isLoading={false}
        onRetry={() => {}}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('internal error [HTTP 500]');
  });

  it('says a data source failed when the traces API answers backend_error', () => {
    render(
      <ErrorState
        error={
          new ApiError('jaeger at http://jaeger:16686: timeout after 5000 ms', 502, 'backend_error')
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('A data source failed');
    expect(alert.textContent).toContain(
      'jaeger at http://jaeger:16686: timeout after 5000 ms [HTTP 502]',
    );
    expect(alert.textContent).toContain('Mesh health lists each data source');
  });
});
