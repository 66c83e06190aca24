/** One server-sent event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface SseFrame {
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream body frame by frame (fetch streams work in browsers and Node, with
 * cookies, headers and abort signals; EventSource has none of the last two).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onFrame: (frame: SseFrame) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let cut = buf.indexOf('\n\n');
    while (cut !== -1) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) onFrame({ event, data: data.join('\n') });
      cut = buf.indexOf('\n\n');
    }
  }
}
