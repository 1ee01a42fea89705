/* aa-replay report: builds the page from the data island. Every string of
 * the recording goes into the page as a text node or an attribute value,
 * never as markup. */
'use strict';
(function () {
var D = JSON.parse(document.getElementById('aa-data').textContent);
/* TLS times are after the one pass's first record: "shift" after the earliest */
(function () {
  var t = D.tls || {};
  (t.items || []).forEach(function (it) {
    if (typeof it.t === 'number') it.t += t.shift || 0;
    if (typeof it.last === 'number') it.last += t.shift || 0;
  });
})();
var S = D.summary || {};
var SVG = 'http://www.w3.org/2000/svg'; /* a namespace name, never fetched */

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
  return parent;
}
function svg(tag, attrs) {
  var e = document.createElementNS(SVG, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}
function $(id) { return document.getElementById(id); }

/* numbers and times */
function num(n) { return Number(n).toLocaleString('en-US'); }
function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  if (n < 1073741824) return (n / 1048576).toFixed(1) + ' MiB';
  return (n / 1073741824).toFixed(2) + ' GiB';
}
function dur(ns) {
  if (ns < 0) ns = 0;
  if (ns < 1e3) return ns + ' ns';
  if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' µs';
  if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + ' ms';
  if (ns < 6e10) return (ns / 1e9).toFixed(2) + ' s';
  var s = Math.round(ns / 1e9);
  return Math.floor(s / 3600) ? Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min'
    : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}
var firstMs = S.first ? Date.parse(S.first) : NaN;
var firstSub = S.first ? S.first.replace(/^.*\.(\d{3})(\d*)Z$/, '$2') : '';
/* wall clock of an offset (ns after the first record), to the microsecond */
function clock(ns) {
  if (isNaN(firstMs)) return '+' + dur(ns);
  var sub = Number(('0.' + (firstSub || '0'))) * 1e6 + ns; /* ns past firstMs */
  var ms = Math.floor(sub / 1e6);
  var d = new Date(firstMs + ms);
  var us = Math.floor((sub - ms * 1e6) / 1e3);
  return d.toISOString().slice(11, 23) + String(1000 + us).slice(1);
}
function rel(ns) { return '+' + dur(ns); }
/* "1 call", "2 calls" */
function plural(count, word, many) { return num(count) + ' ' + (count === 1 ? word : many || word + 's'); }

var ERRNO = { 1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN',
  12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 20: 'ENOTDIR',
  21: 'EISDIR', 22: 'EINVAL', 24: 'EMFILE', 28: 'ENOSPC', 30: 'EROFS', 36: 'ENAMETOOLONG',
  39: 'ENOTEMPTY', 40: 'ELOOP', 95: 'EOPNOTSUPP', 98: 'EADDRINUSE', 101: 'ENETUNREACH',
  104: 'ECONNRESET', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH', 115: 'EINPROGRESS' };
function errname(ret) { var e = -ret; return ERRNO[e] || ('errno ' + e); }
var SIG = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

/* argv as a shell would take it back: items quoted when they need it */
function shq(s) {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,.\/-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}
function argvText(p) {
  if (p.argv) return p.argv.map(shq).join(' ') + (p.argv_truncated ? ' …(cut)' : '');
  if (p.args !== undefined && p.args !== null) return p.args;
  return p.exe || '';
}

/* ---------- header and summary ---------- */
$('inputs').textContent = (D.inputs || []).join('  ');
$('inputs').title = (D.inputs || []).join('\n');
document.title = 'aa report: ' + (S.host || '?') + ' ' + (S.first || '');

function stat(k, v, s, cls) {
  var d = el('div', 'stat');
  add(d, el('div', 'k', k), el('div', 'v' + (cls ? ' ' + cls : ''), v), s ? el('div', 's', s) : null);
  return d;
}
var procs = D.procs || [], files = D.files || [], events = D.events || [];
var connCards = {}; /* TLS conversation cards by socket id, for the timeline's marks */
(function summary() {
  var box = $('summary');
  var failed = procs.filter(isFailed).length;
  var dropped = S.dropped || 0;
  var intact = S.intact === true;
  var why = [];
  if (S.damaged) why.push(num(S.damaged) + ' damaged part(s) skipped');
  if (S.files_closed < S.files) why.push('a file did not end cleanly (capture stopped or file cut)');
  if (S.invalid) why.push(num(S.invalid) + ' invalid record(s)');
  add(box, el('div', 'banner ' + (intact ? 'ok' : 'bad'), intact
    ? '✓ Intact: every block, chunk and digest of the recording checks out'
    : '✗ Not intact: ' + (why.join('; ') || 'the recording is damaged or incomplete') + '. What could be read is shown.'));
  add(box, stat('Host', S.host || 'unknown', [S.kernel, S.arch].filter(Boolean).join(' ')));
  var st = stat('Started', S.first ? clock(0).slice(0, 12) : '—', S.first ? S.first.slice(0, 10) + ' UTC' : '');
  st.title = S.first || '';
  add(box, st);
  add(box, stat('Span', S.records ? dur(S.span) : '—', S.last ? 'until ' + clock(S.span) : ''));
  var bt = S.by_type || {};
  var parts = Object.keys(bt).filter(function (k) { return bt[k]; }).sort(function (a, b) { return bt[b] - bt[a]; })
    .map(function (k) { return k + ' ' + num(bt[k]); });
  var rs = stat('Records', num(S.records || 0), parts.slice(0, 3).join(' · ') + (parts.length > 3 ? ' …' : ''));
  rs.title = parts.join('\n');
  add(box, rs);
  var ps = stat('Processes', num(procs.length), failed ? failed + ' failed' : 'none failed');
  if (failed) ps.lastChild.className = 's bad';
  add(box, ps);
  var tlsConns = countConns();
  var nmsg = ((D.tls || {}).items || []).filter(function (it) { return it.kind === 'http'; }).length;
  add(box, stat('TLS connections', num(tlsConns), plural(nmsg, 'HTTP message')));
  add(box, stat('Files touched', num(files.length), files.filter(function (f) { return f.changed; }).length + ' changed'));
  var dk = S.drops || {};
  var dparts = Object.keys(dk).filter(function (k) { return dk[k]; }).map(function (k) { return k + ' ' + num(dk[k]); });
  add(box, stat('Dropped', num(dropped), dropped ? dparts.join(' · ') : 'no record lost', dropped ? 'bad' : 'ok'));
  var cap = stat('Capture', S.writer || '?', (S.writer_version || '') + ' · format ' + S.format_version + ' · ' + num(S.files) + ' file' + (S.files === 1 ? '' : 's') + ' · ' + bytes(S.bytes_stored || 0));
  cap.title = 'source: ' + (S.source || '?');
  add(box, cap);
})();
function isFailed(p) { return p.end !== null && (p.exit !== 0 || p.signal !== 0); }
function countConns() { return (D.tls || {}).conns || 0; }

/* ---------- process tree ---------- */
/* procs come in the tree's own walk (aa_tree.h): each after its parent, siblings by start */
var kids = procs.map(function () { return []; }), roots = [], byId = {};
procs.forEach(function (p, i) {
  byId[p.id] = i;
  if (p.parent && byId[p.parent] !== undefined) kids[byId[p.parent]].push(i); else roots.push(i);
});
var order = []; /* depth-first, as the tree shows them: the timeline's lanes */
var depth = [];
(function walk(list, d) { list.forEach(function (i) { order.push(i); depth[i] = d; walk(kids[i], d + 1); }); })(roots, 0);
var nodes = [];
function exitBadge(p) {
  if (p.end === null) return el('span', 'badge run', 'no exit recorded');
  if (p.signal) return el('span', 'badge bad', 'killed by ' + (SIG[p.signal] || 'signal ' + p.signal) + (p.core ? ' (core dumped)' : ''));
  return el('span', 'badge ' + (p.exit === 0 ? 'ok' : 'bad'), 'exit ' + p.exit);
}
/* Rows are built as they are first shown: a big tree opens two levels deep */
var OPEN_ALL = procs.length <= 1000;
var treeMore = null; /* the button that shows more top-level processes */
var ptext = procs.map(function (p) { return (p.pid + ' ' + p.comm + ' ' + argvText(p) + ' ' + (p.exe || '')).toLowerCase(); });
function procRow(i) {
  var p = procs[i], node = el('div', kids[i].length ? 'node collapsed' : 'node'), row = el('div', 'row' + (isFailed(p) ? ' failed' : ''));
  var tog = el('span', 'tog', kids[i].length ? '▸' : '');
  tog.addEventListener('click', function () { openNode(i, node.classList.contains('collapsed')); });
  var argv = el('span', 'argv', argvText(p));
  argv.title = 'exe: ' + (p.exe === null ? 'unknown' : p.exe);
  var when = p.snapshot ? 'running at start' : rel(p.start);
  var d = p.end !== null ? dur(p.end - Math.max(p.start, p.snapshot ? 0 : p.start)) : '';
  /* what it did, from the tree's counts: TLS calls and connects shown, file calls on hover */
  var c = p.counts || [0, 0, 0], did = [];
  if (c[1]) did.push(plural(c[1], 'TLS call'));
  if (c[2]) did.push(plural(c[2], 'connect'));
  var didEl = el('span', 'did', did.join(' · '));
  didEl.title = plural(c[0], 'file call') + ', ' + plural(c[1], 'TLS call') + ', ' + plural(c[2], 'connect or accept', 'connects or accepts');
  add(row, tog, el('span', 'pid', p.pid), el('span', 'comm', p.comm || '?'), argv, didEl,
    el('span', 'dur', when + (p.end !== null && !p.snapshot ? ' · ' + d : '')), exitBadge(p));
  if (kids[i].length) add(row, el('span', 'badge info', plural(kids[i].length, 'child', 'children')));
  node.dataset.pid = p.pid;
  add(node, row);
  nodes[i] = node;
  if (kids[i].length && (OPEN_ALL || depth[i] < 1)) openNode(i, true);
  return node;
}
function openNode(i, open) {
  var node = nodes[i];
  if (!kids[i].length) return;
  if (open && node.childNodes.length < 2) {
    var ch = el('div', 'children');
    node.appendChild(ch);
    kids[i].forEach(function (k) { ch.appendChild(procRow(k)); });
  }
  node.classList.toggle('collapsed', !open);
  node.firstChild.firstChild.textContent = open ? '▾' : '▸';
}
(function tree() {
  var t = $('tree'), shownRoots = 0;
  /* at most 500 top-level processes at first, then 500 more a click */
  function more() {
    roots.slice(shownRoots, shownRoots + 500).forEach(function (i) { t.insertBefore(procRow(i), btn); });
    shownRoots = Math.min(roots.length, shownRoots + 500);
    btn.textContent = 'Show ' + num(Math.min(500, roots.length - shownRoots)) + ' more of ' + num(roots.length - shownRoots) + ' top-level processes';
    btn.classList.toggle('hidden', shownRoots >= roots.length);
  }
  var btn = treeMore = el('button', 'more');
  btn.type = 'button';
  btn.onclick = function () { more(); applySearch(); };
  t.appendChild(btn);
  more();
  if (!procs.length) add(t, el('p', 'empty', 'No process is known in this recording.'));
  $('procs-count').textContent = plural(procs.length, 'process', 'processes') +
    (D.procs_lost ? ' (' + num(D.procs_lost) + ' more not kept: the tree holds at most 262144)' : '');
  $('tree-expand').onclick = function () { order.forEach(function (i) { if (nodes[i]) openNode(i, true); }); };
  $('tree-collapse').onclick = function () { nodes.forEach(function (n, i) { if (n) openNode(i, false); }); };
})();

/* ---------- timeline ---------- */
var KIND = {
  exec: { c: '#2f5fd0', label: 'exec' }, fail: { c: '#c4322b', label: 'failed call' },
  write: { c: '#d98200', label: 'file write / change' }, read: { c: '#a9b2c3', label: 'file open / read' },
  tlsw: { c: '#7b3fc4', label: 'TLS sent' }, tlsr: { c: '#0f9c8a', label: 'TLS received' },
  net: { c: '#111827', label: 'connect / accept' }
};
var READS = { read: 1, pread64: 1, readv: 1, preadv: 1, preadv2: 1 };
function evKind(e) {
  switch (e[2]) {
  case 'x': return 'exec';
  case 'e': return 'fail';
  case 'f':
    if (e[5] < 0) return 'fail';
    if (READS[e[4]]) return 'read';
    if (e[4] === 'openat' || e[4] === 'open' || e[4] === 'openat2') return files[e[3]] && files[e[3]].changed ? 'write' : 'read';
    return 'write';
  case 't': return e[3] === 'write' ? 'tlsw' : 'tlsr';
  case 'n': return e[5] < 0 && e[5] !== -115 ? 'fail' : 'net';
  }
  return 'read';
}
function evText(e) {
  var p = byPid[e[1]];
  var who = (p ? p.comm : '?') + ' ' + e[1] + ' at ' + clock(e[0]) + ': ';
  switch (e[2]) {
  case 'x': return who + 'exec ' + (p ? argvText(p) : '');
  case 'e': return who + 'exec failed: ' + (ERRNO[e[3]] || 'errno ' + e[3]);
  case 'f': var f = files[e[3]];
    return who + e[4] + ' ' + (f ? f.path : '?') + (e[5] < 0 ? ' → ' + errname(e[5]) : ' → ' + e[5]);
  case 't': return who + 'TLS ' + e[3] + ' ' + num(e[4]) + ' bytes on connection ' + e[5];
  case 'n': return who + e[3] + ' ' + e[4] + (e[5] < 0 ? ' → ' + errname(e[5]) : '');
  }
  return who;
}
var byPid = {};
procs.forEach(function (p) { byPid[p.pid] = p; });
var lanes = [], laneOf = {};
order.forEach(function (i) { laneOf[procs[i].pid] = lanes.length; lanes.push({ p: procs[i], i: i, ev: [] }); });
events.forEach(function (e) {
  var l = laneOf[e[1]];
  if (l === undefined) { laneOf[e[1]] = l = lanes.length; lanes.push({ p: null, pid: e[1], ev: [] }); }
  lanes[l].ev.push(e);
});
var LABEL_W = 250, LANE_H = 24, AXIS_H = 26;
var span = Math.max(S.span || 0, 1);
var minStart = 0;
procs.forEach(function (p) { if (!p.snapshot && p.start < minStart) minStart = p.start; });
var view = { t0: 0, t1: span };
var tl = $('timeline');
/* the view on [a, b] with a margin of a tenth on each side */
function zoomTo(a, b) {
  var m = Math.max((b - a) / 10, 500);
  view.t0 = a - m; view.t1 = b + m;
  drawTimeline();
}
var MAX_LANES = 300; /* more would make the page slow: a search picks them */
function drawTimeline() {
  if (!lanes.length) {
    tl.textContent = '';
    add(tl, el('p', 'empty', 'No process and no event in this recording.'));
    return;
  }
  var all = lanes.filter(function (l) { return !l.hidden; });
  var shown = all.slice(0, MAX_LANES);
  var W = Math.max(tl.clientWidth, 600), H = AXIS_H + shown.length * LANE_H + 6;
  var plotW = W - LABEL_W - 12;
  var k = plotW / (view.t1 - view.t0);
  function X(t) { return LABEL_W + (t - view.t0) * k; }
  var s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
  var clip = svg('clipPath', { id: 'plot' });
  clip.appendChild(svg('rect', { x: LABEL_W, y: 0, width: plotW + 12, height: H }));
  s.appendChild(clip);
  /* axis: about one tick per 110 px, at round steps */
  var axis = svg('g', { 'class': 'axis' });
  var step = Math.pow(10, Math.floor(Math.log10((view.t1 - view.t0) / (plotW / 110))));
  [1, 2, 5, 10].some(function (m) { if ((view.t1 - view.t0) / (step * m) <= plotW / 110) { step *= m; return true; } return false; });
  for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
    axis.appendChild(svg('line', { x1: X(t), x2: X(t), y1: AXIS_H - 6, y2: H, stroke: '#eef0f4' }));
    var tx = svg('text', { x: X(t) + 3, y: AXIS_H - 10 });
    tx.textContent = rel(Math.round(t));
    axis.appendChild(tx);
  }
  s.appendChild(axis);
  var plot = svg('g', { 'clip-path': 'url(#plot)' });
  shown.forEach(function (l, n) {
    var y = AXIS_H + n * LANE_H;
    if (n % 2) s.insertBefore(svg('rect', { x: 0, y: y, width: W, height: LANE_H, fill: '#fafbfd' }), axis);
    var lab = svg('text', { x: 8 + Math.min(depth[l.i] || 0, 8) * 10, y: y + 16, 'class': 'lane-label' });
    lab.textContent = l.p ? l.p.pid + ' ' + l.p.comm : l.pid + ' ?';
    if (l.p && isFailed(l.p)) lab.setAttribute('class', 'lane-label failed');
    var lt = svg('title', {});
    lt.textContent = l.p ? argvText(l.p) : 'pid ' + l.pid;
    lab.appendChild(lt);
    s.appendChild(lab);
    if (l.p) {
      var a = l.p.snapshot ? Math.min(l.p.start, 0) : l.p.start, b = l.p.end === null ? span : l.p.end;
      var x0 = Math.max(X(a), LABEL_W - 2), x1 = Math.min(X(b), W + 2);
      if (x1 > x0 - 1) {
        var bar = svg('rect', { x: x0, y: y + 6, width: Math.max(x1 - x0, 2), height: LANE_H - 12, rx: 3,
          fill: isFailed(l.p) ? '#f6c9c5' : '#d5def0' });
        var bt = svg('title', {});
        bt.textContent = l.p.comm + ' ' + l.p.pid + ': ' + (l.p.snapshot ? 'running at start' : 'started ' + clock(l.p.start)) +
          (l.p.end === null ? ', no exit recorded' : ', ended ' + clock(l.p.end) + ' (' + exitBadge(l.p).textContent + ')') +
          ' (double-click: zoom to it)';
        bar.appendChild(bt);
        bar.addEventListener('dblclick', function () { zoomTo(a, b); });
        lab.addEventListener('dblclick', function () { zoomTo(a, b); });
        plot.appendChild(bar);
      }
    }
    var lastX = {};
    l.ev.forEach(function (e) {
      if (e[0] < view.t0 || e[0] > view.t1) return;
      var kd = evKind(e), x = X(e[0]);
      if (lastX[kd] !== undefined && Math.abs(x - lastX[kd]) < 1 && kd !== 'fail') return; /* one mark per pixel */
      lastX[kd] = x;
      var tall = kd === 'exec' || kd === 'fail' || kd === 'tlsw' || kd === 'tlsr' || kd === 'net';
      var m = svg('rect', { x: x - (tall ? 1.5 : 0.75), y: y + (tall ? 3 : 7), width: tall ? 3 : 1.5,
        height: LANE_H - (tall ? 6 : 14), fill: KIND[kd].c });
      var mt = svg('title', {});
      mt.textContent = evText(e) + (e[2] === 't' && connCards[e[5]] ? ' (click: the conversation)' : '');
      m.appendChild(mt);
      if (e[2] === 't' && connCards[e[5]]) {
        m.style.cursor = 'pointer';
        m.addEventListener('click', function () { openCard(connCards[e[5]], true); connCards[e[5]].card.scrollIntoView(); });
      }
      plot.appendChild(m);
    });
  });
  s.appendChild(plot);
  s.appendChild(svg('line', { x1: LABEL_W - 4, x2: LABEL_W - 4, y1: 0, y2: H, stroke: '#e3e7ee' }));
  tl.textContent = '';
  tl.appendChild(s);
  $('timeline-count').textContent = plural(shown.length, 'lane') + (all.length > shown.length ? ' (the first ' + MAX_LANES + ' of ' + num(all.length) + ': search to pick others)' : '') + ' · ' + plural(events.length, 'event') +
    (S.events_omitted ? ' (' + num(S.events_omitted) + ' more not shown)' : '') + ' · showing ' + dur(view.t1 - view.t0);
}
(function timelineControls() {
  var lg = $('legend');
  Object.keys(KIND).forEach(function (k) { var s = el('span', null, KIND[k].label); var i = el('i'); i.style.background = KIND[k].c; s.insertBefore(i, s.firstChild); lg.appendChild(s); });
  function zoom(f, at) {
    var w = view.t1 - view.t0, nw = Math.min(Math.max(w * f, 1000), span - minStart + span * 0.1);
    var c = at === undefined ? view.t0 + w / 2 : at;
    view.t0 = c - (c - view.t0) * nw / w; view.t1 = view.t0 + nw;
    drawTimeline();
  }
  function tAt(ev) { var r = tl.getBoundingClientRect(); return view.t0 + (ev.clientX - r.left - LABEL_W) * (view.t1 - view.t0) / (Math.max(tl.clientWidth, 600) - LABEL_W - 12); }
  $('tl-in').onclick = function () { zoom(0.5); };
  $('tl-out').onclick = function () { zoom(2); };
  $('tl-fit').onclick = function () { view.t0 = minStart; view.t1 = span; drawTimeline(); };
  tl.addEventListener('wheel', function (ev) {
    if (ev.ctrlKey || ev.metaKey) { ev.preventDefault(); zoom(ev.deltaY > 0 ? 1.25 : 0.8, tAt(ev)); }
    else if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY) || ev.shiftKey) { ev.preventDefault(); var d = (ev.deltaX || ev.deltaY) * (view.t1 - view.t0) / 800; view.t0 += d; view.t1 += d; drawTimeline(); }
  }, { passive: false });
  var drag = null;
  tl.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, t0: view.t0, t1: view.t1 }; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var d = (drag.x - ev.clientX) * (drag.t1 - drag.t0) / (Math.max(tl.clientWidth, 600) - LABEL_W - 12);
    view.t0 = drag.t0 + d; view.t1 = drag.t1 + d; drawTimeline();
  });
  window.addEventListener('resize', drawTimeline);
  view.t0 = minStart; /* drawn by the first search */
})();

/* ---------- files ---------- */
var WRITES = { write: 1, pwrite64: 1, writev: 1, pwritev: 1, pwritev2: 1, rename: 1, unlink: 1, creat: 1, mkdir: 1, mkdirat: 1, rmdir: 1 };
var filesLevel = 0; /* 0 changed, 1 and failed, 2 all */
var LEVEL = { changed: 0, failed: 1, read: 2 };
var MAX_ROWS = 1000; /* rows shown at once */
/* Rows are built when first shown, at most MAX_ROWS at once */
var fileOrder = [], fileText = [], fileGroup = [], fileTr = [], fileBody = null;
function fileRow(i) {
  if (fileTr[i]) return fileTr[i];
  var f = files[i], tr = el('tr', f.failed ? 'failed' : '');
  var pc = el('td', 'fpath', f.path + (f.truncated ? ' …(cut)' : ''));
  if (f.to >= 0 && files[f.to]) add(pc, el('div', 'muted', '→ renamed to ' + files[f.to].path));
  if (f.from >= 0 && files[f.from]) add(pc, el('div', 'muted', '← renamed from ' + files[f.from].path));
  var ops = el('td');
  Object.keys(f.ops).forEach(function (o) { add(ops, el('span', 'op' + (WRITES[o] ? ' w' : ''), o + (f.ops[o] > 1 ? ' ×' + f.ops[o] : ''))); });
  add(tr, pc, ops, el('td', 'num', f.read ? bytes(f.read) : ''), el('td', 'num', f.written ? bytes(f.written) : ''),
    el('td', f.failed ? 'err' : '', f.failed ? f.failed + '× ' + errname(f.error) : ''), el('td', 'mono', filePids(f)),
    el('td', 'num muted', rel(f.first)));
  return (fileTr[i] = tr);
}
function filePids(f) { return f.pids.map(function (pid) { return (byPid[pid] ? byPid[pid].comm : '?') + ' ' + pid; }).join(', '); }
(function filesTable() {
  var box = $('files');
  if (!files.length) { add(box, el('p', 'empty', 'No file record in this recording.')); return; }
  var tbl = el('table'), head = el('tr');
  ['Path', 'Calls', 'Read', 'Written', 'Errors', 'By', 'First'].forEach(function (h, i) { var th = el('th', null, h); if (i >= 2 && i <= 3) th.style.textAlign = 'right'; head.appendChild(th); });
  add(tbl, add(el('thead'), head));
  fileBody = el('tbody');
  fileOrder = files.map(function (f, i) { return i; });
  /* changed files first, then failures (those of failed processes first), then reads */
  function rank(f) {
    if (f.changed) return 0;
    if (f.failed) return f.pids.some(function (pid) { return byPid[pid] && isFailed(byPid[pid]); }) ? 1 : 2;
    return 3;
  }
  var r = files.map(rank);
  fileOrder.sort(function (a, b) { return r[a] - r[b] || files[a].first - files[b].first; });
  var groups = { changed: 0, failed: 0, read: 0 };
  files.forEach(function (f, i) {
    fileText[i] = (f.path + ' ' + Object.keys(f.ops).join(' ') + ' ' + filePids(f)).toLowerCase();
    fileGroup[i] = f.changed ? 'changed' : f.failed ? 'failed' : 'read';
    groups[fileGroup[i]]++;
  });
  add(box, add(tbl, fileBody));
  if (!groups.changed) filesLevel = groups.failed ? 1 : 2; /* nothing changed: show what there is */
  var tools = $('files-show');
  [['changed', 'Changed ' + groups.changed], ['failed', '+ failed ' + groups.failed], ['read', '+ only read ' + groups.read]].forEach(function (g, n) {
    var b = el('button', n === filesLevel ? 'on' : '', g[1]);
    b.type = 'button';
    b.onclick = function () { filesLevel = n; Array.prototype.forEach.call(tools.children, function (c, k) { c.className = k === n ? 'on' : ''; }); applySearch(); };
    tools.appendChild(b);
  });
})();

/* ---------- TLS conversations ---------- */
function headersBlock(hs) {
  var d = el('details', 'headers'), list = el('div', 'hdrs');
  add(d, el('summary', null, hs.length + ' headers'));
  hs.forEach(function (h) { var line = el('div'); add(line, el('span', 'hn', h[0] + ': '), document.createTextNode(h[1])); list.appendChild(line); });
  return add(d, list);
}
function prettyBody(text, type) {
  if (/json/i.test(type || '') || /^\s*[\[{]/.test(text)) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* shown as it is */ }
  }
  return text;
}
var REASON = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
var PROTO = { 'http/1.1': 'HTTP/1.1', h2: 'HTTP/2', other: 'not HTTP', unknown: 'TLS' };
function header(m, name) {
  for (var i = 0; m.headers && i < m.headers.length; i++) if (m.headers[i][0].toLowerCase() === name) return m.headers[i][1];
  return '';
}
/* A connection's card; its messages are built when it is first opened */
function connCard(c) {
  var card = el('div', 'conn collapsed'), h = el('div', 'conn-head'), list = el('div', 'msgs');
  var proto = el('span', 'badge info', 'TLS'), found = el('span', 'badge hit hidden'), totals = el('span', 'when', '');
  add(h, el('span', 'tog', '▸'), el('span', 'peer', c.peer || 'peer unknown'),
    el('span', 'muted', 'from ' + (c.comm || '?') + ' (pid ' + c.pid + ')' + (c.known ? ' · socket ' + c.id + ' · fd ' + c.fd : ' · calls of the process, connection not recorded') + ' · ' + c.lib),
    proto, found, totals);
  h.title = 'local ' + c.local;
  add(card, h, list);
  var g = { card: card, list: list, proto: proto, found: found, totals: totals, msgs: 0, items: [], els: [], built: false };
  h.onclick = function () { openCard(g, card.classList.contains('collapsed')); };
  return g;
}
function openCard(g, open) {
  if (open && !g.built) {
    g.built = true;
    g.items.forEach(function (it) { var d = renderMsg(it); d.item = it; g.els.push(d); g.list.appendChild(d); });
    filterCard(g, $('search').value.trim().toLowerCase());
  }
  g.card.classList.toggle('collapsed', !open);
  g.card.querySelector('.tog').textContent = open ? '▾' : '▸';
}
/* the text a search looks at, from the data: the page need not be built */
function itemText(it) {
  if (it._s === undefined)
    it._s = [it.method, it.path, it.authority, it.status || '', REASON[it.status] || '', it.event, it.data, it.id, it.note,
      (it.headers || []).map(function (x) { return x[0] + ': ' + x[1]; }).join('\n'), it.body].join(' ').toLowerCase();
  return it._s;
}
function filterCard(g, q) {
  var m = 0;
  g.items.forEach(function (it, i) {
    var show = !q || itemText(it).indexOf(q) >= 0;
    if (show) m++;
    if (g.els[i]) g.els[i].classList.toggle('hidden', !show);
  });
  g.card.classList.toggle('hidden', !!q && !m);
  g.found.classList.toggle('hidden', !q || !m);
  g.found.textContent = plural(m, 'match', 'matches');
  return q ? m : 0;
}
function renderMsg(m) {
  var d, line = el('div', 'msg-line');
  if (m.kind === 'http' && m.req) {
    d = el('div', 'msg req');
    add(line, el('span', 'method', m.method || '?'), el('span', 'path', m.path || ''),
      m.authority ? el('span', 'muted', m.authority) : null);
  } else if (m.kind === 'http') {
    var bad = !(m.status >= 100 && m.status < 400);
    d = el('div', 'msg resp' + (bad ? ' bad' : ''));
    add(line, el('span', 'status ' + (bad ? 'bad' : 'ok'), m.status || '?'), el('span', 'muted', REASON[m.status] || ''),
      header(m, 'content-type') ? el('span', 'muted', header(m, 'content-type')) : null);
  } else if (m.kind === 'sse') {
    d = el('div', 'msg sse');
    add(line, el('span', 'method', 'event' + (m.event !== undefined ? ': ' + m.event : '')),
      el('span', 'path', m.data !== undefined ? m.data : ''), m.id !== undefined ? el('span', 'muted', 'id ' + m.id) : null);
  } else if (m.kind === 'other') {
    d = el('div', 'msg ' + (m.dir === 'write' ? 'req' : 'resp'));
    add(line, el('span', 'dir ' + (m.dir === 'write' ? 'w' : 'r'), m.dir === 'write' ? '→ sent' : '← received'),
      el('span', 'muted', 'not HTTP'));
  } else {
    d = el('div', 'msg note');
    add(line, el('span', null, 'note: ' + (m.note || '')));
  }
  add(line, el('span', 'when', (m.stream ? 'stream ' + m.stream + ' · ' : '') + clock(m.t) + ' · ' +
    (m.dir === 'write' ? 'sent' : 'received') + ' by pid ' + m.pid));
  add(d, line);
  if (m.headers && m.headers.length) add(d, headersBlock(m.headers));
  var info = [];
  if (m.encoding) info.push(m.encoding + ' decoded');
  if (m.kind === 'http' && m.raw_len) info.push(bytes(m.raw_len) + ' as sent');
  if (m.cut) info.push('cut: only its start is shown');
  if (m.incomplete) info.push('incomplete: the recording ends or lost a piece inside it');
  if (m.events) info.push('an event stream: its events follow');
  if (m.omitted) info.push('left out: the page holds at most 16 MiB of bodies (aa-replay follow shows them)');
  if (m.shown) info.push('the first ' + bytes(m.shown) + ' of ' + bytes(m.body_len) + ' shown (aa-replay follow shows it whole)');
  if (info.length) add(d, el('div', 'muted', info.join(' · ')));
  if (m.body) add(d, el('pre', null, m.binary || m.kind === 'other' ? shown(m.body) : prettyBody(m.body, header(m, 'content-type'))));
  return d;
}
/* bytes that are no text (compressed bodies, binary frames) as \xNN */
function shown(text) {
  text = text.replace(/(\r?\n)+$/, "");
  var bin = (text.match(/[\x00-\x08\x0e-\x1f\x7f-\x9f]/g) || []).length;
  if (!bin) return text;
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, function (c) {
    return '\\x' + (0x100 + c.charCodeAt(0)).toString(16).slice(1);
  });
}
var convs = [];
(function tls() {
  var box = $('tls'), t = D.tls || {}, cards = {}, total = 0;
  (t.items || []).forEach(function (it) {
    if (it.kind === 'conn') {
      var g = cards[it.n] = connCard(it);
      convs.push(g);
      box.appendChild(g.card);
      if (it.known && !connCards[it.id]) connCards[it.id] = g;
      return;
    }
    g = cards[it.kind === 'end' ? it.n : it.conn];
    if (!g) return;
    if (it.kind === 'end') {
      g.totals.textContent = plural(g.msgs, 'message') + ' · sent ' + bytes(it.bytes[0]) + ' in ' + plural(it.calls[0], 'call') +
        ' · received ' + bytes(it.bytes[1]) + ' in ' + plural(it.calls[1], 'call');
      return;
    }
    g.msgs++;
    total++;
    if (it.proto && PROTO[it.proto] && g.proto.textContent === 'TLS') g.proto.textContent = PROTO[it.proto];
    g.items.push(it);
  });
  /* open every conversation when there are not too many messages to build */
  if (total <= 400) convs.forEach(function (g) { openCard(g, true); });
  if (!box.firstChild) add(box, el('p', 'empty', 'No TLS traffic in this recording.'));
  $('tls-count').textContent = plural(countConns(), 'connection') + ' · ' + plural(total, 'message') +
    (total > 400 ? ' (click a connection to open it)' : '') +
    (t.bodies_omitted ? ' · ' + num(t.bodies_omitted) + ' bodies left out (size limit)' : '');
})();

/* ---------- search ---------- */
function applySearch() {
  var q = $('search').value.trim().toLowerCase(), hits = 0;
  /* tree: a node shows when it or a descendant matches (from the data: rows
   * not built yet are built on the way to a match) */
  var any = [];
  function walk(i) {
    var own = !q || ptext[i].indexOf(q) >= 0, a = own;
    kids[i].forEach(function (k) { a = walk(k) || a; });
    any[i] = a;
    if (q && own) hits++;
    return a;
  }
  function show(i) {
    var n = nodes[i];
    if (!n) return;
    n.classList.toggle('hidden', !any[i]);
    n.firstChild.classList.toggle('match', !!q && ptext[i].indexOf(q) >= 0);
    if (q && any[i] && kids[i].some(function (k) { return any[k]; })) openNode(i, true);
    kids[i].forEach(show);
  }
  roots.forEach(walk);
  /* a match among the top-level processes not shown yet is shown too */
  roots.forEach(function (i) { if (q && any[i] && !nodes[i]) $('tree').insertBefore(procRow(i), treeMore); });
  roots.forEach(show);
  lanes.forEach(function (l) { l.hidden = !!q && !(l.p && any[l.i]); });
  drawTimeline();
  var shownFiles = 0, matching = 0;
  if (fileBody) fileBody.textContent = '';
  fileOrder.forEach(function (i) {
    /* a search looks at every file, whatever the buttons show */
    if (!(q || LEVEL[fileGroup[i]] <= filesLevel) || (q && fileText[i].indexOf(q) < 0)) return;
    matching++;
    if (shownFiles < MAX_ROWS) { fileBody.appendChild(fileRow(i)); shownFiles++; }
  });
  if (q) hits += matching;
  $('files-count').textContent = shownFiles + ' of ' + plural(files.length, 'path') +
    (matching > shownFiles ? ' (the first ' + MAX_ROWS + ' of ' + num(matching) + ': search to narrow)' : '') +
    (D.files_untracked ? ' (' + num(D.files_untracked) + ' calls on further paths not listed)' : '');
  convs.forEach(function (g) { hits += filterCard(g, q); });
  $('search-count').textContent = q ? hits + ' matches' : '';
}
$('search').addEventListener('input', applySearch);
document.addEventListener('keydown', function (ev) {
  if (ev.key === '/' && document.activeElement !== $('search')) { ev.preventDefault(); $('search').focus(); }
});
/* a link to the page can carry a search: page.html#search=curl */
if (/^#search=/.test(location.hash)) {
  try { $('search').value = decodeURIComponent(location.hash.slice(8)); } catch (e) { /* not a search */ }
}
applySearch();
document.body.dataset.ready = '1';
})();
