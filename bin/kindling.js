#!/usr/bin/env node
// Entry point of the published `kindling` command: runs the TypeScript CLI directly
// (Node >= 22.12 strips types natively).
import '../src/cli/main.ts';
