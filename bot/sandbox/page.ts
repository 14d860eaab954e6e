/**
 * The sandbox's page: a Slack channel, served whole by the sandbox process (no CDN, no web font, no
 * image from elsewhere), under a Content-Security-Policy that allows nothing but this origin. The
 * messages themselves are rendered to HTML on the server (view.ts) and arrive over server-sent
 * events; the script here only places them, sends clicks and commands, and completes `/esm`.
 */

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>#esm-alerts · esm-doctor sandbox</title>
<link rel="stylesheet" href="/sandbox/app.css">
<link rel="icon" href="/sandbox/avatar/bot">
<script src="/sandbox/app.js" defer></script>
</head>
<body>
<div class="sandbox-banner" role="note"><b>Local sandbox</b> — this page stands in for Slack. Its ESMs are bundled scenario snapshots, diagnosed by the real esm-doctor engine; the real Slack app answers every command and click as signed Slack requests. No Slack workspace or AWS account is involved, and nothing leaves this machine.</div>
<div class="app">
  <div class="topbar"><div class="search">Search esm-doctor sandbox</div><label class="acting" title="Who clicks the buttons: a fix asked by one person must be approved by the other">Clicking as <select id="acting-as"><option value="you">you</option><option value="teammate">sam (teammate)</option></select></label><div class="conn" id="conn" title="Connection to the sandbox">connecting…</div></div>
  <div class="workspace">
    <nav class="sidebar" aria-label="Channels">
      <div class="team">esm-doctor sandbox <span class="caret">⌄</span></div>
      <div class="side-section">Channels</div>
      <div class="side-item active"><span class="hash">#</span>esm-alerts</div>
      <div class="side-item muted"><span class="hash">#</span>general</div>
      <div class="side-item muted"><span class="hash">#</span>kafka-platform</div>
      <div class="side-section">Apps</div>
      <div class="side-item"><img class="side-avatar" src="/sandbox/avatar/bot" alt="">esm-doctor</div>
    </nav>
    <main class="channel">
      <header class="channel-header">
        <div class="channel-name"><span class="hash">#</span>esm-alerts</div>
        <div class="channel-topic">Kafka ESM alerts from esm-doctor · try <code>/esm diagnose</code> with an ESM id (Tab completes)</div>
      </header>
      <div class="messages" id="messages" aria-live="polite">
        <div class="channel-intro">
          <div class="intro-title"><span class="hash">#</span>esm-alerts</div>
          <div class="intro-text">This is the very beginning of the <b>#esm-alerts</b> channel. esm-doctor posts an alert here when the watcher sees an event source mapping start failing, and answers <code>/esm diagnose &lt;uuid&gt;</code>.</div>
        </div>
      </div>
      <div class="composer-wrap">
        <div class="completion" id="completion" role="listbox" hidden></div>
        <form class="composer" id="composer" autocomplete="off">
          <input id="composer-input" name="text" type="text" placeholder="Message #esm-alerts — try /esm diagnose" aria-label="Message #esm-alerts" spellcheck="false">
          <button type="submit" class="send" aria-label="Send">Send</button>
        </form>
        <div class="composer-hint"><b>/esm diagnose</b> &lt;uuid|arn&gt; [region] · <b>/esm help</b> · <b>Tab</b> completes the sandbox's ESM ids</div>
      </div>
    </main>
  </div>
</div>
</body>
</html>
`;

export const AVATARS: Record<string, string> = {
  bot: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36" width="36" height="36"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d9bd1"/><stop offset="1" stop-color="#2eb67d"/></linearGradient></defs><rect width="36" height="36" rx="7" fill="url(#g)"/><path d="M5 19h6l3-7 4 13 3.5-9 2 3H31" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  user: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36" width="36" height="36"><rect width="36" height="36" rx="7" fill="#e8912d"/><circle cx="18" cy="14" r="6" fill="#fff"/><path d="M7 31c1.5-6 6-9 11-9s9.5 3 11 9z" fill="#fff"/></svg>',
  slackbot: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36" width="36" height="36"><rect width="36" height="36" rx="7" fill="#4a154b"/><path d="M18 28s-9-5.5-9-12a5 5 0 0 1 9-3 5 5 0 0 1 9 3c0 6.5-9 12-9 12z" fill="#36c5f0"/></svg>',
};

export const PAGE_CSS = String.raw`
:root {
  --aubergine: #3f0e40; --aubergine-dark: #350d36; --text: #1d1c1d; --muted: #616061; --link: #1264a3;
  --border: rgba(29,28,29,.13); --hover: #f8f8f8; --green: #007a5a; --red: #e01e5a;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; color: var(--text); font-size: 15px; line-height: 1.46668; background: var(--aubergine-dark); }
code, pre { font-family: Monaco, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
.sandbox-banner { background: #fff4d6; color: #5c3b00; border-bottom: 1px solid #f2c94c; font-size: 13px; padding: 6px 16px; text-align: center; }
.app { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.topbar { height: 40px; flex: none; display: flex; align-items: center; justify-content: center; position: relative; background: var(--aubergine-dark); }
.search { width: 40%; min-width: 260px; background: rgba(255,255,255,.2); color: rgba(255,255,255,.8); border-radius: 6px; font-size: 13px; padding: 4px 10px; }
.conn { position: absolute; right: 16px; color: rgba(255,255,255,.7); font-size: 12px; }
.conn.live::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #2bac76; margin-right: 6px; }
.workspace { flex: 1; display: flex; min-height: 0; }
.sidebar { width: 240px; flex: none; background: var(--aubergine); color: rgba(255,255,255,.7); padding: 8px 0; overflow: auto; }
.team { color: #fff; font-weight: 900; font-size: 18px; padding: 6px 16px 14px; border-bottom: 1px solid rgba(255,255,255,.1); margin-bottom: 10px; }
.caret { font-weight: 400; font-size: 14px; }
.side-section { font-size: 14px; padding: 10px 16px 4px; color: rgba(255,255,255,.7); }
.side-item { font-size: 15px; padding: 3px 16px 3px 26px; display: flex; align-items: center; gap: 6px; }
.side-item.active { background: #1164a3; color: #fff; border-radius: 6px; margin: 0 8px; padding-left: 18px; }
.side-item.muted { opacity: .85; }
.side-avatar { width: 18px; height: 18px; border-radius: 4px; }
.hash { opacity: .8; margin-right: 2px; }
.channel { flex: 1; display: flex; flex-direction: column; background: #fff; min-width: 0; border-top-left-radius: 6px; }
.channel-header { flex: none; padding: 10px 20px; border-bottom: 1px solid var(--border); display: flex; align-items: baseline; gap: 14px; }
.channel-name { font-weight: 900; font-size: 18px; }
.channel-topic { color: var(--muted); font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.messages { flex: 1; overflow-y: auto; padding: 8px 0 12px; }
.channel-intro { padding: 24px 20px 16px; }
.intro-title { font-size: 22px; font-weight: 900; }
.intro-text { color: var(--muted); font-size: 15px; max-width: 760px; }
.msg { display: flex; gap: 8px; padding: 8px 20px; }
.msg:hover { background: var(--hover); }
.msg.ephemeral { background: #f4f8fb; }
.avatar { width: 36px; height: 36px; border-radius: 6px; flex: none; margin-top: 3px; }
.msg-content { min-width: 0; flex: 1; max-width: 900px; }
.msg-meta { display: flex; align-items: baseline; gap: 6px; }
.author { font-weight: 900; }
.app-badge { font-size: 10px; font-weight: 700; background: rgba(29,28,29,.13); color: rgba(29,28,29,.7); border-radius: 2px; padding: 1px 3px; position: relative; top: -1px; }
.msg-time { color: var(--muted); font-size: 12px; }
.ephemeral-note { color: var(--muted); font-size: 13px; display: flex; align-items: center; gap: 4px; }
.eye { display: inline-block; width: 14px; height: 9px; border: 1.5px solid var(--muted); border-radius: 50%; position: relative; }
.eye::after { content: ""; position: absolute; left: 4px; top: 1.5px; width: 3px; height: 3px; border-radius: 50%; background: var(--muted); }
.edited { color: var(--muted); font-size: 13px; }
.dismiss { background: none; border: 0; padding: 0; color: var(--link); font-size: 13px; cursor: pointer; display: block; margin-top: 2px; }
.dismiss:hover { text-decoration: underline; }
.blocks { display: flex; flex-direction: column; }
.block { margin: 4px 0; }
.block.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin-top: 6px; }
.block.section { display: flex; gap: 12px; }
.section-body { flex: 1; min-width: 0; }
.section-text, .field { overflow-wrap: anywhere; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
.accessory { flex: none; }
.block.context { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; color: var(--muted); font-size: 12px; line-height: 1.5; }
.block.context .emoji { width: 14px; height: 14px; }
.block.context code { font-size: 11px; }
.ctx-el .p { display: inline; }
hr.block.divider { border: 0; border-top: 1px solid var(--border); margin: 10px 0; width: 100%; }
.block.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.block.unsupported, .unsupported { color: var(--muted); font-style: italic; font-size: 13px; }
.btn { display: inline-flex; align-items: center; gap: 4px; height: 28px; padding: 0 12px; border-radius: 4px; border: 1px solid rgba(29,28,29,.3); background: #fff; color: var(--text); font: inherit; font-size: 13px; font-weight: 700; cursor: pointer; text-decoration: none; }
.btn:hover { background: var(--hover); box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.btn-primary { background: var(--green); border-color: var(--green); color: #fff; }
.btn-primary:hover { background: #148567; }
.btn-danger { background: var(--red); border-color: var(--red); color: #fff; }
.btn.busy { opacity: .55; cursor: progress; }
.btn .emoji { width: 16px; height: 16px; }
.ext { font-weight: 400; font-size: 12px; opacity: .7; }
.p { white-space: normal; }
.emoji { width: 20px; height: 20px; vertical-align: -4px; margin: 0 1px; }
.block.header .emoji { width: 22px; height: 22px; vertical-align: -3px; }
.section-text code, .field code, .ctx-el code, .intro-text code, .channel-topic code { background: rgba(29,28,29,.04); border: 1px solid var(--border); border-radius: 3px; color: #c01343; font-size: 12px; padding: 1px 3px; }
pre.code-block { background: rgba(29,28,29,.04); border: 1px solid var(--border); border-radius: 4px; padding: 8px; margin: 4px 0; font-size: 12px; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; }
blockquote { margin: 2px 0; padding-left: 12px; border-left: 4px solid #dddddd; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
.mention { background: rgba(29,155,209,.1); color: var(--link); border-radius: 3px; padding: 0 2px; font-weight: 400; }
.mention.broadcast { background: rgba(242,199,68,.4); color: var(--text); }
.img-placeholder { color: var(--muted); font-style: italic; }
.thread-summary { display: flex; width: fit-content; gap: 8px; align-items: baseline; margin-top: 4px; padding: 3px 6px 3px 0; background: none; border: 1px solid transparent; border-radius: 6px; cursor: pointer; font: inherit; font-size: 13px; }
.thread-summary:hover { border-color: var(--border); background: #fff; }
.thread-count { color: var(--link); font-weight: 700; }
.thread-last { color: var(--muted); }
.thread { border-left: 3px solid rgba(29,28,29,.1); margin: 4px 0 0 2px; }
.msg.reply { padding: 6px 0 6px 12px; }
.msg.reply:hover { background: transparent; }
.broadcast-note { color: var(--muted); font-size: 13px; }
.composer-wrap { flex: none; padding: 0 20px 14px; position: relative; }
.composer { display: flex; border: 1px solid rgba(29,28,29,.3); border-radius: 8px; overflow: hidden; }
.composer:focus-within { border-color: rgba(29,28,29,.5); box-shadow: 0 0 0 1px rgba(29,28,29,.2); }
#composer-input { flex: 1; border: 0; outline: 0; font: inherit; padding: 12px 12px; }
.send { border: 0; background: var(--green); color: #fff; font-weight: 700; padding: 0 16px; cursor: pointer; }
.acting { color: #fff; font-size: 12px; margin-right: 12px; }
.acting select { font-size: 12px; margin-left: 4px; }
.composer-hint { color: var(--muted); font-size: 12px; padding: 4px 2px 0; }
.completion { position: absolute; bottom: 100%; left: 20px; right: 20px; background: #fff; border: 1px solid var(--border); border-radius: 8px; box-shadow: 0 4px 12px rgba(0,0,0,.12); max-height: 340px; overflow-y: auto; padding: 6px 0; margin-bottom: 6px; }
.completion-title { font-size: 12px; color: var(--muted); padding: 2px 14px 6px; }
.option { padding: 5px 14px; cursor: pointer; display: flex; gap: 10px; align-items: baseline; }
.option.selected, .option:hover { background: #1264a3; color: #fff; }
.option.selected .opt-desc, .option:hover .opt-desc { color: rgba(255,255,255,.85); }
.opt-main { font-family: Monaco, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 13px; white-space: nowrap; }
.opt-desc { color: var(--muted); font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.opt-tag { font-size: 11px; border-radius: 3px; padding: 0 4px; background: #fdf1e0; color: #8a5200; margin-left: 4px; }
`;

/** Browser script. Plain ES2017, no template literals (it lives in a TypeScript string). */
export const PAGE_JS = String.raw`
(function () {
  'use strict';
  var list = document.getElementById('messages');
  var form = document.getElementById('composer');
  var input = document.getElementById('composer-input');
  var popup = document.getElementById('completion');
  var conn = document.getElementById('conn');
  var state = { esms: [], commands: [] };
  var options = [];
  var selected = 0;

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return { ok: false, error: 'http_' + r.status }; }); });
  }

  function nearBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 160; }

  function fragment(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  var openThreads = {};

  function topLevel(ts) { return list.querySelector(':scope > .msg[data-ts="' + CSS.escape(ts) + '"]'); }

  function applyThreadState(node) {
    var thread = node.querySelector('[data-thread]');
    if (thread && openThreads[thread.dataset.thread]) thread.hidden = false;
  }

  function upsert(ts, html) {
    var stick = nearBottom();
    var node = fragment(html);
    applyThreadState(node);
    var existing = topLevel(ts);
    if (existing) existing.replaceWith(node);
    else {
      var after = null;
      var all = list.querySelectorAll(':scope > .msg');
      for (var i = 0; i < all.length; i++) { if (Number(all[i].dataset.ts) > Number(ts)) { after = all[i]; break; } }
      list.insertBefore(node, after);
    }
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function remove(ts) {
    var existing = topLevel(ts);
    if (existing) existing.remove();
  }

  function connect() {
    var events = new EventSource('/sandbox/events');
    events.addEventListener('reset', function () {
      var all = list.querySelectorAll(':scope > .msg');
      for (var i = 0; i < all.length; i++) all[i].remove();
      conn.textContent = 'sandbox running';
      conn.className = 'conn live';
    });
    events.addEventListener('upsert', function (e) { var d = JSON.parse(e.data); upsert(d.ts, d.html); });
    events.addEventListener('delete', function (e) { remove(JSON.parse(e.data).ts); });
    events.onerror = function () { conn.textContent = 'reconnecting…'; conn.className = 'conn'; };
  }

  list.addEventListener('click', function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    var toggle = target.closest('[data-thread-toggle]');
    if (toggle) {
      var id = toggle.dataset.threadToggle;
      var thread = list.querySelector('[data-thread="' + CSS.escape(id) + '"]');
      openThreads[id] = !openThreads[id];
      if (thread) thread.hidden = !openThreads[id];
      return;
    }
    var msg = target.closest('.msg');
    if (!msg) return;
    if (target.closest('[data-dismiss]')) { post('/sandbox/dismiss', { ts: msg.dataset.ts }); return; }
    var button = target.closest('[data-action-id]');
    if (!button) return;
    var isLink = button.tagName === 'A';
    if (!isLink) e.preventDefault();
    if (button.classList.contains('busy')) return;
    button.classList.add('busy');
    var acting = document.getElementById('acting-as');
    post('/sandbox/action', { ts: msg.dataset.ts, actionId: button.dataset.actionId, blockId: button.dataset.blockId || undefined, as: acting && acting.value === 'teammate' ? 'teammate' : 'you' })
      .finally(function () { button.classList.remove('busy'); });
  });

  // ---- composer and completion --------------------------------------------------------------

  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; }

  function computeOptions(value) {
    var m;
    if (/^\/[a-z]*$/i.test(value)) {
      return { title: 'Commands', items: state.commands.filter(function (c) { return c.name.indexOf(value.toLowerCase()) === 0; })
        .map(function (c) { return { main: c.name, desc: c.usage + ' — ' + c.description, insert: c.name + ' ' }; }) };
    }
    if ((m = /^\/esm\s+(\S*)$/i.exec(value))) {
      var word = m[1].toLowerCase();
      return { title: '/esm', items: [
        { main: 'diagnose', desc: '<uuid|arn> [region] — why an event source mapping fails, and how to fix it', insert: '/esm diagnose ' },
        { main: 'help', desc: 'how to use /esm', insert: '/esm help' }
      ].filter(function (o) { return o.main.indexOf(word) === 0 && o.main !== word; }) };
    }
    if ((m = /^\/esm\s+diagnose\s+(\S*)$/i.exec(value))) {
      var prefix = m[1].toLowerCase();
      return { title: 'Event source mappings in the sandbox account', items: state.esms.filter(function (x) {
          return !prefix || x.uuid.indexOf(prefix) === 0 || x.scenario.indexOf(prefix) >= 0;
        }).filter(function (x) { return x.uuid !== prefix; })
        .map(function (x) { return { main: x.uuid, desc: x.functionName + ' ← ' + x.topics.join(', ') + ' · ' + x.title, tag: x.watched ? 'watched' : '', insert: '/esm diagnose ' + x.uuid }; }) };
    }
    return { title: '', items: [] };
  }

  function renderCompletion() {
    var computed = computeOptions(input.value);
    options = computed.items;
    popup.textContent = '';
    if (!options.length) { popup.hidden = true; return; }
    if (selected >= options.length) selected = 0;
    popup.appendChild(el('div', 'completion-title', computed.title));
    options.forEach(function (o, i) {
      var row = el('div', 'option' + (i === selected ? ' selected' : ''));
      row.setAttribute('role', 'option');
      row.dataset.index = String(i);
      row.appendChild(el('span', 'opt-main', o.main));
      var desc = el('span', 'opt-desc', o.desc);
      if (o.tag) desc.appendChild(el('span', 'opt-tag', o.tag));
      row.appendChild(desc);
      row.addEventListener('mousedown', function (e) { e.preventDefault(); accept(i); });
      popup.appendChild(row);
    });
    popup.hidden = false;
    var current = popup.querySelector('.option.selected');
    if (current && current.scrollIntoView) current.scrollIntoView({ block: 'nearest' });
  }

  function accept(i) {
    var o = options[i];
    if (!o) return;
    input.value = o.insert;
    selected = 0;
    renderCompletion();
    input.focus();
  }

  input.addEventListener('input', function () { selected = 0; renderCompletion(); });
  input.addEventListener('keydown', function (e) {
    var open = !popup.hidden && options.length > 0;
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      selected = (selected + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
      renderCompletion();
    } else if (open && e.key === 'Tab') {
      e.preventDefault();
      accept(selected);
    } else if (open && e.key === 'Escape') {
      popup.hidden = true;
    } else if (e.key === 'Tab') {
      e.preventDefault();
    }
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    popup.hidden = true;
    var m = /^(\/\S+)\s*([\s\S]*)$/.exec(text);
    if (m) post('/sandbox/command', { command: m[1], text: m[2] });
    else post('/sandbox/message', { text: text });
  });

  fetch('/sandbox/state').then(function (r) { return r.json(); }).then(function (s) { state = s; });
  connect();
  input.focus();
})();
`;
