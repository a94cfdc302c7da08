// Live Q&A client (einblick.live, protocol in docs/live.md). Plain JS, no build step.
//
// Keeps a model of the questions (id -> question with "rev", the event number of its last change), talks to
// /ws/live/sessions/<id>/ and renders by cloning the server's <template> and filling texts with textContent only —
// never innerHTML with anything a person wrote. Remembers the last event number: on reconnect it sends it and gets
// what it missed; numbers it has already seen are ignored (no duplicates). Without a connection the forms are
// posted as plain HTML forms, so the page keeps working.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-qa]");
  if (!root || !("WebSocket" in window)) return;

  var moderator = root.dataset.role === "moderator";
  var texts = readJSON(root.dataset.texts) || {};
  var state = readJSON(root.dataset.state) || { seq: 0, questions: [] };
  var template = root.querySelector("template[data-qa-template]");
  var statusEl = root.querySelector("[data-qa-status]");
  var viewersEl = root.querySelector("[data-qa-viewers]");
  var feedbackEl = root.querySelector("[data-qa-feedback]");
  var lists = {};
  root.querySelectorAll("[data-qa-list]").forEach(function (el) { lists[el.dataset.qaList] = el; });

  var questions = new Map();   // id -> question
  var tombstones = new Map();  // id -> rev at which it disappeared for us
  var elements = new Map();    // id -> <li>
  var voted = new Set();
  var reported = new Set();
  var lastSeq = state.seq || 0;
  var syncing = false, syncTimer = null;
  var sortBy = "votes";
  var socket = null, ready = false, attempts = 0, reconnectTimer = null, renderQueued = false;

  var VISITOR_KEY = "einblick.live.visitor", NICKNAME_KEY = "einblick.live.nickname";
  var visitor = stored(VISITOR_KEY);
  if (!visitor || !/^[A-Za-z0-9_-]{16,64}$/.test(visitor)) {
    visitor = randomId();
    stored(VISITOR_KEY, visitor);
  }
  root.querySelectorAll("input[data-visitor]").forEach(function (input) { input.value = visitor; });
  var nicknameInput = root.querySelector('.qa-ask input[name="nickname"]');
  if (nicknameInput && !nicknameInput.value) nicknameInput.value = stored(NICKNAME_KEY) || "";

  state.questions.forEach(function (q) { questions.set(q.id, q); });

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function stored(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: kept for this page only */ }
    return null;
  }

  function randomId() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function format(text, count) { return String(text || "").replace("%(count)s", String(count)); }

  // --- connection --------------------------------------------------------------------------------------------
  function setStatus(text, live) {
    if (statusEl) statusEl.textContent = text || "";
    root.classList.toggle("is-live", !!live);
    root.classList.toggle("is-offline", !live && text === texts.reconnecting);
  }

  function connect() {
    reconnectTimer = null;
    var url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + root.dataset.wsPath;
    setStatus(attempts ? texts.reconnecting : texts.connecting, false);
    try {
      socket = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.onopen = function () { send({ type: "hello", visitor: visitor, last_seq: lastSeq }); };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      ready = false;
      socket = null;
      syncing = false;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    setStatus(texts.reconnecting, false);
    var delay = Math.min(30000, 1000 * Math.pow(2, attempts));
    attempts += 1;
    reconnectTimer = window.setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  }

  function reconnectNow() {
    if (socket || !reconnectTimer) return;
    window.clearTimeout(reconnectTimer);
    connect();
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function requestSync() {
    if (syncing || !ready) return;
    syncing = true;
    send({ type: "sync", last_seq: lastSeq });
    window.clearTimeout(syncTimer);
    syncTimer = window.setTimeout(function () { syncing = false; }, 10000);
  }

  // --- model -------------------------------------------------------------------------------------------------
  function upsert(q) {
    var old = questions.get(q.id);
    if (old && old.rev > q.rev) return;
    var gone = tombstones.get(q.id);
    if (gone !== undefined && gone >= q.rev) return;
    tombstones.delete(q.id);
    questions.set(q.id, q);
  }

  function remove(id, rev) {
    var old = questions.get(id);
    if (old && old.rev > rev) return;
    questions.delete(id);
    tombstones.set(id, Math.max(tombstones.get(id) || 0, rev));
  }

  // An event with a number: applied once; a jump in the numbers asks the server for what is missing.
  function sequenced(seq, apply) {
    if (seq <= lastSeq) return;
    apply();
    scheduleRender();
    if (seq === lastSeq + 1) lastSeq = seq;
    else requestSync();
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    switch (msg.type) {
      case "welcome":
        ready = true;
        attempts = 0;
        setStatus(msg.open ? texts.live : texts.closed, true);
        voted = new Set(msg.voted || []);
        (msg.own || []).forEach(upsert);
        scheduleRender();
        break;
      case "snapshot":
        questions.clear();
        tombstones.clear();
        msg.questions.forEach(function (q) { questions.set(q.id, q); });
        lastSeq = msg.seq;
        syncing = false;
        scheduleRender();
        break;
      case "catchup":
        msg.questions.forEach(upsert);
        msg.removed.forEach(function (r) { remove(r.id, r.rev); });
        lastSeq = Math.max(lastSeq, msg.seq);
        syncing = false;
        scheduleRender();
        break;
      case "question":
        sequenced(msg.seq, function () { upsert(msg.question); });
        break;
      case "removed":
        sequenced(msg.seq, function () { remove(msg.id, msg.rev); });
        break;
      case "viewers":
        if (viewersEl) viewersEl.textContent = msg.count === 1 ? texts.viewers_one : format(texts.viewers_many, msg.count);
        break;
      case "asked":
        upsert(msg.question);
        scheduleRender();
        var form = root.querySelector(".qa-ask");
        if (form) {
          stored(NICKNAME_KEY, form.elements.nickname.value);
          form.elements.text.value = "";
        }
        feedback(msg.message, false);
        break;
      case "voted":
        voted.add(msg.id);
        scheduleRender();
        break;
      case "reported":
        reported.add(msg.id);
        feedback(msg.message, false);
        scheduleRender();
        break;
      case "done":
        feedback(msg.message, false);
        if (msg.command === "answer") {
          var el = elements.get(msg.id);
          var box = el && el.querySelector('.qa-answer-form textarea');
          if (box) box.value = "";
        }
        break;
      case "error":
        feedback(msg.message, true);
        if (msg.code === "bad_visitor") {
          visitor = randomId();
          stored(VISITOR_KEY, visitor);
        }
        break;
      default:
        break;
    }
  }

  function feedback(text, isError) {
    if (!feedbackEl) return;
    feedbackEl.classList.toggle("is-error", !!isError);
    feedbackEl.textContent = text || "";
  }

  // --- rendering ---------------------------------------------------------------------------------------------
  function sectionOf(q) {
    if (!moderator) return "main";
    if (q.status === "pending") return "pending";
    if (q.status === "hidden") return "hidden";
    return q.answered ? "answered" : "open";
  }

  function compare(a, b) {
    if (sortBy === "time") return a.created < b.created ? 1 : a.created > b.created ? -1 : b.id - a.id;
    return (b.votes - a.votes) || (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id - b.id);
  }

  function elementFor(q) {
    var el = elements.get(q.id) || document.getElementById("q-" + q.id);
    if (!el) el = template.content.firstElementChild.cloneNode(true);
    el.id = "q-" + q.id;
    el.dataset.id = String(q.id);
    elements.set(q.id, el);
    return el;
  }

  function setText(el, name, value) {
    el.querySelectorAll('[data-slot="' + name + '"]').forEach(function (node) { node.textContent = value; });
  }

  function show(el, name, visible) {
    el.querySelectorAll('[data-part="' + name + '"]').forEach(function (node) { node.hidden = !visible; });
  }

  function fill(el, q) {
    setText(el, "nickname", q.nickname);
    setText(el, "text", q.text);
    setText(el, "answer", q.answer || "");
    setText(el, "votes", String(q.votes));
    var time = el.querySelector('[data-slot="time"]');
    if (time) {
      time.dateTime = q.created;
      time.textContent = String(q.created).slice(11, 16);  // the server sends local time
    }
    show(el, "mine", !!q.mine);
    show(el, "pending", !!q.pending);
    show(el, "answered", !!q.answered);
    show(el, "answer", !!q.answer);
    el.classList.toggle("is-answered", !!q.answered);
    el.classList.toggle("is-mine", !!q.mine);
    el.querySelectorAll('input[name="question"]').forEach(function (input) { input.value = String(q.id); });
    el.querySelectorAll("input[data-visitor]").forEach(function (input) { input.value = visitor; });
    if (moderator) {
      show(el, "approve", q.status !== "visible");
      show(el, "hide", q.status !== "hidden");
      show(el, "mark-answered", !q.answered);
      show(el, "reopen", !!q.answered);
      var held = { filter: texts.held_filter, premoderation: texts.held_premoderation,
                   reports: format(texts.held_reports, q.reports) }[q.held] || "";
      setText(el, "held", held);
      show(el, "held", !!held && q.status === "pending");
      setText(el, "reports", String(q.reports));
      show(el, "reports", q.reports > 0);
    } else {
      show(el, "visitor-actions", !q.pending);
      var vote = el.querySelector('[data-part="vote"]');
      if (vote) vote.setAttribute("aria-pressed", voted.has(q.id) ? "true" : "false");
      var report = el.querySelector('[data-part="report"]');
      if (report && reported.has(q.id)) {
        report.disabled = true;
        report.textContent = texts.reported;
      }
    }
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    window.setTimeout(render, 0);
  }

  function render() {
    renderQueued = false;
    var sections = {};
    Object.keys(lists).forEach(function (name) { sections[name] = []; });
    questions.forEach(function (q) {
      var name = sectionOf(q);
      if (sections[name]) sections[name].push(q);
    });
    elements.forEach(function (el, id) {
      if (!questions.has(id)) {
        el.remove();
        elements.delete(id);
      }
    });
    Object.keys(sections).forEach(function (name) {
      var list = lists[name];
      var items = sections[name].sort(compare);
      // Do not move questions under a presenter who is typing an answer.
      var typing = list.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA";
      items.forEach(function (q, index) {
        var el = elementFor(q);
        fill(el, q);
        if (el.parentNode !== list) list.appendChild(el);
        else if (!typing && list.children[index] !== el) list.insertBefore(el, list.children[index]);
      });
      var empty = root.querySelector('[data-qa-empty="' + name + '"]');
      if (empty) empty.hidden = items.length > 0;
      var count = root.querySelector('[data-qa-count="' + name + '"]');
      if (count) count.textContent = String(items.length);
    });
  }

  // --- forms and buttons -------------------------------------------------------------------------------------
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-qa-command]");
    if (!form) return;
    form.querySelectorAll("input[data-visitor]").forEach(function (input) { input.value = visitor; });
    if (!ready || !socket || socket.readyState !== WebSocket.OPEN) return;  // sent as a plain form instead
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var command = form.dataset.qaCommand;
    var message = { type: command };
    var question = form.querySelector('input[name="question"]');
    if (question) message.question = parseInt(question.value, 10);
    if (command === "ask") {
      message.nickname = form.elements.nickname.value;
      message.text = form.elements.text.value;
    } else if (command === "answer") {
      message.text = form.elements.text.value;
    } else if (command === "answered") {
      message.answered = form.elements.answered.value !== "0";
    }
    send(message);
  });

  var sortGroup = root.querySelector("[data-qa-sort-group]");
  if (sortGroup) {
    sortGroup.hidden = false;
    sortGroup.addEventListener("click", function (event) {
      var button = event.target.closest("[data-qa-sort]");
      if (!button) return;
      sortBy = button.dataset.qaSort;
      sortGroup.querySelectorAll("[data-qa-sort]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      render();
    });
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reconnectNow();
  });

  render();
  connect();
})();
