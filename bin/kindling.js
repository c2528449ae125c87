#!/usr/bin/env -S node --max-semi-space-size=16
// Entry point of the published `kindling` command: runs the TypeScript CLI directly
// (Node >= 22.12 strips types natively). The server's thread allocates mostly short-lived parse
// and plan objects; V8 would let its semi-spaces grow to 64 MiB each and keep them committed, so
// they are capped at 16 MiB (`npm start` and the server benchmark pass the same flag).
import '../src/cli/main.ts';
