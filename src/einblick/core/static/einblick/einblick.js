// Einblick: a few lines of plain JS. Pages work without it.
(function () {
  "use strict";
  // Two-click video embed: the provider is contacted only after the viewer clicks.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".video-load");
    if (!button) return;
    var figure = button.closest(".video-embed");
    var kind = figure.dataset.embedKind, src = figure.dataset.embedSrc, title = figure.dataset.embedTitle || "Video";
    var player;
    if (kind === "video") {
      player = document.createElement("video");
      player.controls = true;
      player.src = src;
    } else {
      player = document.createElement("iframe");
      player.src = src;
      player.allow = "fullscreen; picture-in-picture";
      player.setAttribute("allowfullscreen", "");
      player.referrerPolicy = "strict-origin-when-cross-origin";
      // Third-party players get scripts but cannot navigate the page, open pop-ups or submit forms to us.
      player.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
    }
    player.title = title;
    figure.querySelector(".video-consent").replaceWith(player);
    player.focus();
  });

  // Print buttons (no inline handlers: the Content Security Policy allows no inline scripts).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // A list that refreshes itself while something runs (e.g. an offer import): <section data-refresh="5">.
  var live = document.querySelector("[data-refresh]");
  if (live && live.hasAttribute("data-running")) {
    var seconds = parseInt(live.dataset.refresh, 10) || 5;
    var timer = setInterval(function () {
      fetch(window.location.pathname, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
        var current = document.getElementById(live.id);
        if (!fresh || !current) return;
        current.replaceWith(fresh);
        live = fresh;
        if (!fresh.hasAttribute("data-running")) clearInterval(timer);
      }).catch(function () { clearInterval(timer); });
    }, seconds * 1000);
  }
})();
