import { HEALTH_LABEL, type Health } from '../lib/health';

export function HealthDot({ health }: { health: Health }) {
  return (
    <span
      className={`health-dot health-${health}`}
      role="img"
      aria-label={HEALTH_LABEL[health]}
      title={HEALTH_LABEL[health]}
    />
  );
}
