// SPDX-License-Identifier: MIT
//
// Loads a trace made by `aa-replay export --perfetto` into the Performance
// panel of Chromium's own DevTools (devtools://devtools/bundled/
// trace_app.html, built into the browser), headless, driven over the
// DevTools protocol on a pipe (no port, no network: every host name
// resolves to nothing), and prints what the panel's engine built of it
// (perfetto_describe.mjs, run in the panel's page), after
//   engine chromium VERSION
//   warning TEXT         what DevTools logged as an error or warning while loading
// and keeps a screenshot of the panel in SHOT.png.
// Usage: node perfetto_devtools.mjs CHROMIUM TRACE.json SHOT.png
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [exe, file, shot] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-devtools-'));
const describeText = fs.readFileSync(new URL('./perfetto_describe.mjs', import.meta.url), 'utf8')
  .replace(/^export function/m, 'function');
const out = [];
let failure = null;

// --no-sandbox: root cannot run it otherwise; a HOME of its own: an
// unprivileged user's may not be writable.
const chrome = spawn(exe, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-extensions', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND', `--user-data-dir=${profile}/profile`,
  '--remote-debugging-pipe', 'about:blank'],
  {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true, // its own process group
   env: {...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile}});
let stderr = '';
chrome.stderr.on('data', d => { stderr += d; });
const [tx, rx] = [chrome.stdio[3], chrome.stdio[4]];
const pending = new Map(), listeners = [];
let lastId = 0, buf = '';
rx.on('data', d => {
  buf += d;
  for (let i; (i = buf.indexOf('\0')) >= 0; buf = buf.slice(i + 1)) {
    const msg = JSON.parse(buf.slice(0, i));
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else {
      listeners.forEach(l => l(msg));
    }
  }
});
chrome.on('exit', code => {
  for (const done of pending.values()) done({error: {message: `chromium exited (${code}): ${stderr.slice(-2000)}`}});
});
function send(method, params = {}, sessionId = undefined) {
  const msg = {id: ++lastId, method, params, sessionId};
  tx.write(JSON.stringify(msg) + '\0');
  return new Promise(resolve => pending.set(msg.id, resolve)).then(r => {
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  });
}
async function evaluate(session, expression) {
  const r = await send('Runtime.evaluate', {expression, awaitPromise: true, returnByValue: true}, session);
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
  return r.result.value;
}

try {
  const {product} = await send('Browser.getVersion');
  out.push(`engine ${product.replace('/', ' ').replace(/^\S+/, 'chromium')}`);
  const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
  let loading = false;
  listeners.push(m => {
    if (m.sessionId === sessionId && loading && m.method === 'Runtime.consoleAPICalled' &&
        (m.params.type === 'error' || m.params.type === 'warning'))
      out.push(`warning ${m.params.args.map(a => a.value ?? a.description).join(' ').replace(/\n/g, ' ')}`);
  });
  await send('Runtime.enable', {}, sessionId);
  await send('Page.enable', {}, sessionId);
  await send('Emulation.setDeviceMetricsOverride', {width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false}, sessionId);
  const loaded = new Promise(resolve => listeners.push(m => m.method === 'Page.loadEventFired' && resolve()));
  await send('Page.navigate', {url: 'devtools://devtools/bundled/trace_app.html'}, sessionId);
  await loaded;
  // the panel once the app is up, then the file as its "Load profile" button hands it over
  await evaluate(sessionId, `(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    for (let i = 0;; i++) {
      try {
        await UI.ViewManager.ViewManager.instance().showView('timeline');
        return;
      } catch (e) {
        if (i == 100) throw e;
        await new Promise(r => setTimeout(r, 100));
      }
    }
  })()`);
  loading = true;
  const lines = await evaluate(sessionId, `(async () => {
    ${describeText}
    const T = await import('./panels/timeline/timeline.js');
    const panel = T.TimelinePanel.TimelinePanel.instance();
    await panel.loadFromFile(new File([${JSON.stringify(fs.readFileSync(file, 'utf8'))}], 'trace.json'));
    const parsed = () => { try { return panel.getParsedTraceForLayoutTests(); } catch { return null; } };
    for (let i = 0; i < 300 && !parsed(); i++) await new Promise(r => setTimeout(r, 100));
    if (!parsed()) throw new Error('the panel loaded no trace in 30 s');
    const p = parsed();
    return describe(p.data ?? p);
  })()`);
  loading = false;
  out.push(...lines);
  // the flame chart drawn; Escape closes what covers it (the shortcuts
  // dialog, "Debugging connection was closed": the app has no page to debug)
  for (const type of ['keyDown', 'keyUp', 'keyDown', 'keyUp'])
    await send('Input.dispatchKeyEvent', {type, key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27}, sessionId);
  await new Promise(r => setTimeout(r, 1000));
  if (shot) fs.writeFileSync(shot, Buffer.from((await send('Page.captureScreenshot', {}, sessionId)).data, 'base64'));
} catch (e) {
  failure = e;
}
const exited = new Promise(resolve => chrome.exitCode !== null ? resolve() : chrome.on('exit', resolve));
chrome.kill();
await exited;
// Chromium's helpers (renderer, crashpad) may outlive the browser for a
// moment and still write into the profile: end the whole group, then
// remove it with retries; a profile left behind is no failure of the test.
try { process.kill(-chrome.pid, 'SIGKILL'); } catch (e) { /* the group is gone */ }
try {
  fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
} catch (e) {
  console.error(`perfetto_devtools: ${profile} left behind: ${e.message}`);
}
process.stdout.write(out.join('\n') + '\n');
if (failure) {
  console.error(`perfetto_devtools: ${failure.message}`);
  process.exit(1);
}
