import { describe, expect, it, vi } from 'vitest';
import { createLogger } from './log';

function capture(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const logger = createLogger(level, { component: 'proxy', pod: 'web-1' }, (t) => lines.push(t));
  return {
    logger,
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('proxy logger', () => {
  it("writes one JSON object per line in pino's layout: level, time, bindings, fields, msg", () => {
    vi.useFakeTimers({ now: 1_796_040_000_000 });
    try {
      const { logger, lines } = capture('info');
      logger.info({ file: '/etc/d.json', services: 2 }, 'discovery file loaded');
      expect(lines).toEqual([
        '{"level":30,"time":1796040000000,"component":"proxy","pod":"web-1","file":"/etc/d.json","services":2,"msg":"discovery file loaded"}\n',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops lines below the level, and withLevel writes the start line whatever the level', () => {
    const { logger, parsed } = capture('warn');
    logger.info({}, 'not written');
    logger.warn({ a: 1 }, 'written');
    logger.error({}, 'also written');
    logger.withLevel('info').info({ port: 4140 }, 'listening');
    expect(parsed().map((l) => [l.level, l.msg])).toEqual([
      [40, 'written'],
      [50, 'also written'],
      [30, 'listening'],
    ]);
    const silent = capture('silent');
    silent.logger.error({}, 'nothing');
    expect(silent.lines).toEqual([]);
  });

  it('writes errors as type, message, stack and code, and escapes hostile text', () => {
    const { logger, parsed } = capture('info');
    const err = Object.assign(new Error('watch failed'), { code: 'ENOENT' });
    logger.error({ err }, 'line "one"\nline two </script>');
    const [l] = parsed();
    expect(l?.err).toEqual({
      type: 'Error',
      message: 'watch failed',
      stack: err.stack,
      code: 'ENOENT',
    });
    expect(l?.msg).toBe('line "one"\nline two </script>');
  });

  it('still writes the line when the fields cannot be serialized, saying why', () => {
    const { logger, parsed } = capture('info');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.warn({ cyclic, n: 10n }, 'odd fields');
    const [l] = parsed();
    expect(l?.msg).toBe('odd fields');
    expect(String(l?.logFieldsError)).toMatch(/circular/i);
    logger.info({ n: 10n }, 'bigint');
    expect(parsed()[1]?.n).toBe('10');
  });
});
