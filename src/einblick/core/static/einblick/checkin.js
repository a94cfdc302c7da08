// Einblick check-in (events/checkin.html). The page works without this script: typing a code is a plain form.
// With it: a camera scanner (BarcodeDetector, e.g. Chrome on Android), answers without reloading, and an offline
// queue: every scan is first saved in localStorage (one key per event), then sent in order; when the connection
// fails it waits there ("waiting for connection") and is sent again on the "online" event and every 15 seconds,
// also after a reload. Texts come translated from the page (#checkin-messages).
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root || !window.fetch || !window.JSON) return;

  var T = JSON.parse(document.getElementById("checkin-messages").textContent);
  var API = root.dataset.api;
  var STORE = "einblick-checkin:" + root.dataset.event;
  var REPEAT_MS = 5000; // the same code again within this time is the same scan
  var RETRY_MS = 15000;
  var TIMEOUT_MS = 10000; // a request hanging on a flaky connection counts as failed
  var SCAN_EVERY_MS = 200;
  var SERVER_TRIES = 3; // after this many server errors a scan is given up (and shown to be checked by hand)

  var result = document.getElementById("checkin-result");
  var form = root.querySelector("form[data-checkin-form]");
  var codeInput = form.querySelector('[name="code"]');
  var attendedInput = form.querySelector('[name="attended"]');
  var queueNote = root.querySelector("[data-queue]");
  var queueList = root.querySelector("[data-queue-list]");
  var log = root.querySelector("[data-log]");
  var logEmpty = root.querySelector("[data-log-empty]");

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function csrfToken() {
    // the cookie is the freshest (a login elsewhere rotates it); the page's token if the cookie is not readable
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : root.dataset.csrf;
  }

  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) date = new Date();
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  // ------------------------------------------------------------------------------------------ the queue

  var memory = []; // used only when localStorage is not available (private mode, storage full)

  function readQueue() {
    try {
      var raw = window.localStorage.getItem(STORE);
      if (raw === null) return memory.slice();
      var items = JSON.parse(raw);
      return Array.isArray(items)
        ? items.filter(function (item) { return item && typeof item.code === "string" && item.id; })
        : [];
    } catch (e) {
      return memory.slice();
    }
  }

  function writeQueue(items) {
    memory = items.slice();
    try {
      if (items.length) window.localStorage.setItem(STORE, JSON.stringify(items));
      else window.localStorage.removeItem(STORE);
    } catch (e) { /* kept in memory for this visit */ }
  }

  function markWaiting(triedId) {
    // the connection failed: everything in the queue now waits for it; the scan just sent counts a try
    writeQueue(readQueue().map(function (item) {
      item.waiting = true;
      if (item.id === triedId) item.tries = (item.tries || 0) + 1;
      return item;
    }));
  }

  function removeItem(id) {
    writeQueue(readQueue().filter(function (item) { return item.id !== id; }));
  }

  function renderQueue() {
    var items = readQueue();
    var waiting = items.filter(function (item) { return item.waiting; });
    queueNote.hidden = waiting.length === 0;
    queueList.hidden = waiting.length === 0;
    queueNote.textContent = waiting.length === 1 ? T.queue_one : fmt(T.queue_many, { n: waiting.length });
    queueList.textContent = "";
    waiting.forEach(function (item) {
      var li = document.createElement("li");
      var time = document.createElement("time");
      time.dateTime = item.scanned_at;
      time.textContent = clock(item.scanned_at);
      var code = document.createElement("span");
      code.setAttribute("translate", "no");
      code.textContent = item.code.replace(/^.*:/, "");
      li.append(time, code);
      queueList.append(li);
    });
  }

  // --------------------------------------------------------------------------------------------- output

  function show(kind, title, lines, name) {
    result.className = "checkin-result is-" + kind;
    result.dataset.result = kind;
    result.textContent = "";
    var heading = document.createElement("p");
    heading.className = "checkin-result-title";
    heading.textContent = title;
    result.append(heading);
    if (name) {
      var who = document.createElement("p");
      who.className = "checkin-result-name";
      var bdi = document.createElement("bdi");
      bdi.textContent = name;
      who.append(bdi);
      result.append(who);
    }
    (lines || []).forEach(function (line) {
      if (!line) return;
      var p = document.createElement("p");
      p.textContent = line;
      result.append(p);
    });
  }

  function buzz(ok) {
    if (navigator.vibrate) {
      try { navigator.vibrate(ok ? 80 : [200, 100, 200]); } catch (e) { /* not allowed: fine */ }
    }
  }

  function groupLine(data) {
    if (data.group) return fmt(T.present, { attended: data.attended, places: data.places });
    return "";
  }

  function addToLog(data) {
    var li = document.createElement("li");
    var time = document.createElement("time");
    time.dateTime = data.checked_in_at;
    time.textContent = clock(data.checked_in_at);
    var bdi = document.createElement("bdi");
    bdi.textContent = data.name;
    li.append(time, bdi);
    if (data.group) li.append(" · " + groupLine(data));
    log.prepend(li);
    while (log.children.length > 10) log.lastElementChild.remove();
    logEmpty.hidden = true;
  }

  function updateCounts(counts) {
    if (!counts) return;
    root.querySelectorAll("[data-count]").forEach(function (element) {
      var value = counts[element.dataset.count];
      if (typeof value === "number") element.textContent = String(value);
    });
  }

  function answered(item, data) {
    updateCounts(data.counts);
    var fromForm = item.source === "form" && codeInput.dataset.pending === item.id;
    // a retried scan whose first answer got lost on the way: the check-in did happen
    var lostAnswer = !data.ok && data.code === "already" && data.by_you && item.tries > 0;
    if (data.ok || lostAnswer) {
      show("ok", T.ok, [groupLine(data), lostAnswer ? T.already_yours : ""], data.name);
      if (data.ok) addToLog(data);
      buzz(true);
      if (fromForm) {
        codeInput.value = "";
        codeInput.removeAttribute("aria-invalid");
      }
    } else {
      show("error", T.error, [data.message, data.name && data.group ? groupLine(data) : ""], data.name || "");
      buzz(false);
      if (fromForm) {
        if (!codeInput.value) codeInput.value = item.code; // nothing typed is lost
        codeInput.setAttribute("aria-invalid", "true");
        codeInput.focus();
        codeInput.select();
      }
    }
    if (fromForm) delete codeInput.dataset.pending;
  }

  // ---------------------------------------------------------------------------------------------- sending

  function post(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    var body = { code: item.code, scanned_at: item.scanned_at };
    if (item.attended) body.attended = item.attended;
    return fetch(API, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) window.clearTimeout(timer);
      if (response.status === 401 || response.status === 403) return { keep: "login" };
      if ([200, 400, 404].indexOf(response.status) < 0) return { keep: "server" };
      return response.json().then(
        function (data) { return { data: data }; },
        function () { return { keep: "server" }; } // e.g. a proxy's error page
      );
    }, function () {
      if (timer) window.clearTimeout(timer);
      return { keep: "offline" };
    });
  }

  var sending = false;

  function flush() {
    if (sending) return;
    var items = readQueue();
    renderQueue();
    if (!items.length || navigator.onLine === false) return;
    sending = true;
    var item = items[0];
    post(item).then(function (outcome) {
      sending = false;
      if (outcome.data) {
        removeItem(item.id);
        answered(item, outcome.data);
        renderQueue();
        flush();
        return;
      }
      if (outcome.keep === "server" && (item.tries || 0) + 1 >= SERVER_TRIES) {
        removeItem(item.id);
        show("error", T.error, [fmt(T.server_dropped, { code: item.code })]);
        buzz(false);
        renderQueue();
        flush();
        return;
      }
      markWaiting(item.id);
      renderQueue();
      if (outcome.keep === "login") show("error", T.error, [T.login]);
      else if (outcome.keep === "server") show("queued", T.queued, [T.server]);
      else show("queued", T.queued, [T.queued_detail, item.code.replace(/^.*:/, "")]);
      if (item.source === "form" && codeInput.dataset.pending === item.id) {
        codeInput.value = ""; // it is saved in the queue
        delete codeInput.dataset.pending;
      }
    }, function () {
      sending = false; // an error in our own code: try again with the next timer
    });
  }

  function submit(code, source) {
    var attended = parseInt(attendedInput.value, 10);
    var item = {
      id: String(Date.now()) + "-" + Math.random().toString(36).slice(2, 8),
      code: code.trim().slice(0, 200),
      attended: attended > 0 ? attended : null,
      scanned_at: new Date().toISOString(),
      source: source,
      tries: 0,
      waiting: false
    };
    attendedInput.value = ""; // applies to this ticket only
    if (source === "form") codeInput.dataset.pending = item.id;
    var items = readQueue();
    items.push(item);
    writeQueue(items);
    if (items.length === 1 && navigator.onLine !== false) show("pending", T.checking, [item.code.replace(/^.*:/, "")]);
    if (navigator.onLine === false) {
      markWaiting(null);
      show("queued", T.queued, [T.queued_detail, item.code.replace(/^.*:/, "")]);
      if (source === "form") {
        codeInput.value = "";
        delete codeInput.dataset.pending;
      }
    }
    flush();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    if (!code) {
      show("error", T.error, [T.code_missing]);
      codeInput.focus();
      return;
    }
    submit(code, "form");
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_MS);
  flush(); // scans saved before a reload

  // ---------------------------------------------------------------------------------------------- camera

  var camera = root.querySelector("[data-camera]");
  var startButton = root.querySelector("[data-camera-start]");
  var stopButton = root.querySelector("[data-camera-stop]");
  var video = root.querySelector("[data-camera-video]");
  var missing = root.querySelector("[data-camera-missing]");
  var detector = null;
  var stream = null;
  var scanning = false;
  var loopTimer = null;
  var lastCode = "";
  var lastSeen = 0;

  function cameraPossible() {
    return "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  }

  function stopCamera() {
    scanning = false;
    if (loopTimer) window.clearTimeout(loopTimer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function seen(value) {
    var now = Date.now();
    var same = value === lastCode && now - lastSeen < REPEAT_MS;
    lastCode = value;
    lastSeen = now; // a code held in front of the camera stays one scan
    if (!same) submit(value, "camera");
  }

  function loop() {
    if (!scanning) return;
    var next = function () { if (scanning) loopTimer = window.setTimeout(loop, SCAN_EVERY_MS); };
    if (video.readyState < 2) {
      next();
      return;
    }
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) seen(codes[0].rawValue);
    }).catch(function () { /* a frame that could not be read */ }).then(next);
  }

  function startCamera() {
    // the browser asks for the camera permission only now, after the button was pressed
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
        scanning = true;
        startButton.hidden = true;
        stopButton.hidden = false;
        stopButton.focus();
        // the picture and the answer below it on one screen
        if (stopButton.scrollIntoView) stopButton.scrollIntoView({ block: "start", behavior: "smooth" });
        loop();
      })
      .catch(function (error) {
        stopCamera();
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        show("error", T.error, [denied ? T.camera_denied : T.camera_failed]);
      })
      .then(function () { startButton.disabled = false; });
  }

  function offerCamera() {
    camera.hidden = false;
    startButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", stopCamera);
    // the camera is released when the page is left or hidden; the button starts it again
    document.addEventListener("visibilitychange", function () { if (document.hidden && scanning) stopCamera(); });
    window.addEventListener("pagehide", stopCamera);
  }

  if (!cameraPossible()) {
    missing.hidden = false;
  } else if (window.BarcodeDetector.getSupportedFormats) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) offerCamera();
      else missing.hidden = false;
    }, function () { missing.hidden = false; });
  } else {
    offerCamera();
  }
})();
