import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { EmptyState, ErrorState, NoTrafficHelp, errorMessage } from './StateViews';

describe('state views', () => {
  it('explains API errors with the parameter and status', () => {
    expect(
      errorMessage(new ApiError('must be one of 10s, 1m', 400, 'invalid_parameter', 'window')),
    ).toBe('must be one of 10s, 1m (parameter window) [HTTP 400]');
    expect(errorMessage(new ApiError('The dashboard server is unreachable', 0))).toBe(
      'The dashboard server is unreachable',
    );
  });

  it('renders an alert for errors and a how-to for empty meshes', () => {
    render(
      <>
        <ErrorState error={new Error('boom <b>x</b>')} />
        <EmptyState title="No workloads with traffic">
          <NoTrafficHelp />
        </EmptyState>
      </>,
    );
    expect(screen.getByRole('alert').textContent).toContain('boom <b>x</b>');
    expect(screen.getByText('No workloads with traffic')).toBeTruthy();
    expect(screen.getByText('npm start')).toBeTruthy();
  });
});
