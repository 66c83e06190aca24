import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createApp } from './app';
import { HELP_TEXT, parseFlags, type ServeFlags } from './flags';
import { issueServingCert } from './servingCert';
import { webhookConfiguration } from './webhookConfig';

const VERSION = '0.1.0';

async function serve(f: ServeFlags): Promise<void> {
  const logger = pino({ level: f['log-level'], base: { component: 'injector' } });
  const cert = await issueServingCert(f['ca-cert-file'], f['ca-key-file'], f['dns-names']);
  const sidecar = {
    ...(f.image === undefined ? {} : { image: f.image }),
    ...(f['control-plane-url'] === undefined ? {} : { controlPlaneUrl: f['control-plane-url'] }),
    ...(f['trace-collector-url'] === undefined
      ? {}
      : { traceCollectorUrl: f['trace-collector-url'] }),
    ...(f['tls-mode'] === undefined ? {} : { tlsMode: f['tls-mode'] }),
  };
  const server = createApp({ cert, logger, admission: { sidecar, proxyVersion: VERSION } });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(f.port, f.address, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  logger
    .child({}, { level: 'info' })
    .info({ address, port, dnsNames: f['dns-names'] }, 'listening');
  const stop = () => {
    server.closeIdleConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(): Promise<void> {
  const parsed = parseFlags(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
  } else if (parsed.kind === 'error') {
    process.stderr.write(
      `meshlens-injector: invalid flags: ${parsed.message}\nRun with --help for usage.\n`,
    );
    process.exitCode = 2;
  } else if (parsed.kind === 'webhook-config') {
    const caPem = await readFile(parsed.flags['ca-cert-file'], 'utf8');
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`${parsed.flags['ca-cert-file']}: not a PEM certificate`);
    }
    const config = webhookConfiguration({
      caPem,
      namespace: parsed.flags.namespace,
      service: parsed.flags.service,
      port: parsed.flags.port,
    });
    process.stdout.write(stringify(config, { lineWidth: 0 }));
  } else {
    await serve(parsed.flags);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`meshlens-injector: ${(err as Error).message}\n`);
  process.exit(1);
});
