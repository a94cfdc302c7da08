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
})();
