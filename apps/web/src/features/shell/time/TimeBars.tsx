import { ReplayBar } from './ReplayBar';
import { useTime } from './TimeProvider';

/** The bars under the top bar that belong to time (replay); none while live. */
export function TimeBars() {
  const { time } = useTime();
  return time.range.kind === 'instant' ? <ReplayBar /> : null;
}
