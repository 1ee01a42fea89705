// SPDX-License-Identifier: MIT
//
// What a DevTools trace engine built of a trace made by `aa-replay export
// --perfetto`, one line per fact, for tests/replay/test_perfetto_engine.c:
//   process PID NAME                      its process_name
//   thread PID/TID NAME                   a track
//   slice PID/TID DEPTH CAT NAME @TS +DUR in PARENT [PATH]   its tree's nodes
//   flow PID/TID@TS NAME -> PID/TID@TS NAME                  a bound arrow
//   conversation PID/TID@TS -> ... CALLS  arrows chained from call to call
//   summary KEY=N ...
// data is the engine's handler data (its Meta, Renderer and Flows). No
// imports: perfetto_devtools.mjs runs this text inside Chromium's DevTools.
export function describe(data) {
  const out = [];
  const say = line => out.push(line);
  const us = t => Number(t).toFixed(3);
  const where = e => `${e.pid}/${e.tid}@${us(e.ts)}`;
  for (const [pid, ev] of data.Meta.processNames) say(`process ${pid} ${ev.args.name}`);

  const n = {processes: data.Meta.processNames.size, threads: 0, slices: 0, instants: 0,
             nested_syscalls: 0, top_syscalls: 0, flows: 0, conversations: 0};
  for (const [pid, proc] of data.Renderer.processes) {
    for (const [tid, thread] of proc.threads) {
      n.threads++;
      say(`thread ${pid}/${tid} ${thread.name}`);
      const walk = (node, parent) => {
        const e = node.entry;
        const p = e.args && typeof e.args.path === 'string' ? ` ${e.args.path}` : '';
        say(`slice ${pid}/${tid} ${node.depth} ${e.cat} ${e.name} @${us(e.ts)} +${us(e.dur ?? 0)} in ${parent ? parent.entry.name : '-'}${p}`);
        if (e.ph === 'I') n.instants++;
        else n.slices++;
        if (e.cat === 'file' || e.cat === 'net') {
          if (parent && parent.entry.cat === 'process') n.nested_syscalls++;
          else n.top_syscalls++;
        }
        for (const c of node.children) walk(c, node);
      };
      for (const root of thread.tree.roots) walk(root, null);
    }
  }

  // Flows: the engine binds each arrow's ends to the events they mark.
  const next = new Map(), isTarget = new Set();
  for (const flow of data.Flows.flows) {
    n.flows++;
    say(`flow ${flow.map(e => `${where(e)} ${e.name}`).join(' -> ')}`);
    for (let i = 0; i + 1 < flow.length; i++) {
      next.set(flow[i], flow[i + 1]);
      isTarget.add(flow[i + 1]);
    }
  }
  for (const first of next.keys()) {
    if (isTarget.has(first)) continue;
    const chain = [first];
    for (let e = next.get(first); e && chain.length <= next.size; e = next.get(e)) chain.push(e);
    n.conversations++;
    say(`conversation ${chain.map(where).join(' -> ')} ${chain.length}`);
  }
  say(`summary ${Object.entries(n).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return out;
}
