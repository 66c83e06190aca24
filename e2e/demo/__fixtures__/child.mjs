// A supervised child for supervisor.e2e.test.ts: listens (on --port, 0 = any) and logs the
// "listening" line npm start waits for; with --fail-first it exits before listening.
import http from 'node:http';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
if (process.argv.includes('--fail-first')) {
  process.stderr.write('cannot start: bad config\n');
  process.exit(3);
}
const server = http.createServer((_req, res) => res.end('ok'));
server.listen(Number(arg('--port') ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(JSON.stringify({ msg: 'listening', port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
