import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <div className="state state-empty">
      <strong>Nothing here</strong>
      <span>This address does not match a view.</span>
      <Link to="/">Go to the overview</Link>
    </div>
  );
}
