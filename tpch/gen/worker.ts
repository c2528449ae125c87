/** Worker-thread entry: answers each `ChunkRequest` with the chunk's outputs (buffers transferred). */

import { parentPort } from 'node:worker_threads';
import { runChunk, transferables, type ChunkReply, type ChunkRequest } from './chunk.ts';

const port = parentPort;
if (port !== null) {
  port.on('message', (request: ChunkRequest) => {
    runChunk(request).then(
      (outputs) => {
        const reply: ChunkReply = { id: request.id, outputs };
        port.postMessage(reply, transferables(outputs));
      },
      (e: unknown) => {
        const reply: ChunkReply = {
          id: request.id,
          error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        };
        port.postMessage(reply);
      },
    );
  });
}
