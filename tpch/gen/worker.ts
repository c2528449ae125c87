/** Worker-thread entry: answers each `ChunkRequest` with the chunk's bytes (transferred). */

import { parentPort } from 'node:worker_threads';
import { generateChunk, type ChunkReply, type ChunkRequest } from './chunk.ts';

const port = parentPort;
if (port !== null) {
  port.on('message', (request: ChunkRequest) => {
    let reply: ChunkReply;
    try {
      reply = { id: request.id, bytes: generateChunk(request) };
    } catch (e) {
      reply = { id: request.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply, reply.bytes === undefined ? [] : [reply.bytes.buffer as ArrayBuffer]);
  });
}
