import { useState } from 'react';
import { useLocation } from 'react-router';
import { buildShareLink } from '../../lib/share';
import { useTime } from './time/TimeProvider';

export interface CopyLinkProps {
  basePath: string;
}

export function CopyLink({ basePath }: CopyLinkProps) {
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [copied, setCopied] = useState(false);
  const { defaultWindow } = useTime();
  const link = buildShareLink({
    origin: window.location.origin,
    basePath,
    pathname: location.pathname,
    search: location.search,
    pin,
    now,
    defaultWindow,
  });

  function handleToggle() {
    setNow(Date.now());
    setCopied(false);
    setOpen((o) => !o);
  }

  function handleCopy() {
    // Clipboard needs a secure context or permission; the text field stays as the fallback.
    navigator.clipboard?.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  }

  return (
    <div className="copy-link">
      <button type="button" className="btn" aria-expanded={open} onClick={handleToggle}>
        Copy link
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Share this view">
          <label className="field-col">
            <span>Link to this view</span>
            <input
              type="text"
              readOnly
              aria-label="Shareable link"
              value={link}
              onFocus={(e) => e.currentTarget.select()}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={pin}
              onChange={(e) => {
                setNow(Date.now());
                setPin(e.target.checked);
              }}
            />
            Pin the time range (absolute from/to)
          </label>
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={handleCopy}>
              Copy
            </button>
            {copied && <span role="status">Copied</span>}
          </div>
        </div>
      )}
    </div>
  );
}
