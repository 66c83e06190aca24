// Its own module (and entry point, `@meshlens/contract/tap-redaction`): a proxy redacts on every
// tapped request but parses a tap filter only when a tap starts, so it loads the schemas then.

/** Request headers never sent, whatever is asked (more can be added by configuration). */
export const TAP_ALWAYS_REDACTED = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
] as const;
