import type { Socket } from 'node:net';
import type { ProxyMetrics, TcpLabels } from './metrics';

interface Tracked {
  labels: TcpLabels;
  read: number;
  written: number;
}

/**
 * Linkerd's tcp_* metrics. Bytes are added when a connection closes and, for connections
 * still open, at each scrape (`flush`), so long-lived keep-alive connections count too.
 */
export class TcpTracker {
  private readonly live = new Map<Socket, Tracked>();

  constructor(private readonly metrics: ProxyMetrics) {}

  track(socket: Socket, labels: TcpLabels): void {
    if (this.live.has(socket) || socket.destroyed) return;
    const t: Tracked = { labels, read: 0, written: 0 };
    this.live.set(socket, t);
    this.metrics.tcpOpenTotal.inc(labels);
    this.metrics.tcpOpenConnections.inc(labels);
    socket.once('close', (hadError: boolean) => {
      this.add(socket, t);
      this.live.delete(socket);
      this.metrics.tcpCloseTotal.inc({
        ...labels,
        classification: hadError ? 'failure' : 'success',
      });
      this.metrics.tcpOpenConnections.dec(labels);
    });
  }

  get openCount(): number {
    return this.live.size;
  }

  flush(): void {
    for (const [socket, t] of this.live) this.add(socket, t);
  }

  private add(socket: Socket, t: Tracked): void {
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    if (read > t.read) this.metrics.tcpReadBytes.inc(t.labels, read - t.read);
    if (written > t.written) this.metrics.tcpWriteBytes.inc(t.labels, written - t.written);
    t.read = read;
    t.written = written;
  }
}
