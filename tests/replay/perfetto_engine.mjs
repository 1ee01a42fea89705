// SPDX-License-Identifier: MIT
//
// Loads a trace made by `aa-replay export --perfetto` with the trace engine
// of Chrome DevTools' Performance panel as an npm package
// (@paulirish/trace_engine, the engine Lighthouse uses) and prints what
// the engine built of it (perfetto_describe.mjs), after
//   engine VERSION
//   warning TEXT                          what the engine complained of
// Usage: node perfetto_engine.mjs ENGINE_DIR TRACE.json
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe} from './perfetto_describe.mjs';

const [dir, file] = process.argv.slice(2);
const out = [];
const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
out.push(`engine ${version}`);

// The engine reports what it drops (an end that ends nothing ...) on the console.
for (const level of ['error', 'warn', 'log', 'info']) {
  console[level] = (...args) => out.push(`warning ${args.map(String).join(' ').replace(/\n/g, ' ')}`);
}
const {analyzeEvents} = await import(pathToFileURL(path.join(dir, 'analyze-trace.mjs')).href);
const trace = JSON.parse(fs.readFileSync(file, 'utf8'));
const {parsedTrace} = await analyzeEvents(trace.traceEvents);
out.push(...describe(parsedTrace.data));
process.stdout.write(out.join('\n') + '\n');
