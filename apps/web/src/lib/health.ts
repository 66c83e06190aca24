// Health colouring follows Linkerd viz (below 95% success is a warning, below 90% failing);
// the rule itself lives in the contract so the CLI and the BFF colour the same way.
import type { Health } from '@meshlens/contract';

export { classifyHealth, DEFAULT_HEALTH_THRESHOLDS } from '@meshlens/contract';
export type { Health, HealthThresholds } from '@meshlens/contract';

export const HEALTH_LABEL: Record<Health, string> = {
  healthy: 'healthy',
  warning: 'degraded',
  failing: 'failing',
  idle: 'no traffic',
};
