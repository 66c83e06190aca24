import { describe, expect, it } from 'vitest';
import { injectBasePath } from './spa';

describe('injectBasePath', () => {
  it('rewrites the placeholders Vite kept', () => {
    const html =
      '<head>\n<base href="/" />\n<meta name="meshlens-base-path" content="/" />\n</head>';
    expect(injectBasePath(html, '/x/y')).toBe(
      '<head>\n<base href="/x/y/" />\n<meta name="meshlens-base-path" content="/x/y" />\n</head>',
    );
  });

  it('adds them when absent', () => {
    expect(injectBasePath('<html><head><title>t</title></head></html>', '')).toBe(
      '<html><head>\n    <base href="/" />\n    <meta name="meshlens-base-path" content="/" /><title>t</title></head></html>',
    );
  });
});
