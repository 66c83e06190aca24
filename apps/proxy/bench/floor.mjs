// Bench floor: the least a Node proxy can do per request. A bare node:http server forwarding
// every request to the upstream with undici's Pool.stream (keep-alive, no header rewriting, no
// metrics): what any proxy written in Node pays before doing anything useful.
import http from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(`http://127.0.0.1:${process.argv[2]}`, { connections: 64, pipelining: 1 });
const server = http.createServer((req, res) => {
  pool.stream(
    { path: req.url, method: req.method, headers: req.headers, body: req },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, headers);
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
