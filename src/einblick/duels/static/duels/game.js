// Class game board: fetch the board's JSON (data-state) every 2 s and update the counts, bars, players, ranking and
// the status line (an aria-live region, so screen readers hear "5 players joined · 12 answers"). Polling rather than
// WebSockets on purpose: one board per class, a few numbers. Without JavaScript the "Refresh" link reloads the page.
// When the game ends or an answer is revealed elsewhere the page reloads to show it.
(function () {
  "use strict";
  var board = document.getElementById("game-board");
  if (!board || !board.dataset.state) return;
  var url = board.dataset.state;
  var closed = board.dataset.closed === "1";
  if (closed) return;  // an ended game no longer changes
  var revealed = {};
  Array.prototype.forEach.call(board.querySelectorAll(".game-option.is-right [data-count]"), function (el) {
    revealed[el.dataset.count.split("-")[0]] = true;
  });

  function setText(el, text) {
    if (el && el.textContent !== String(text)) el.textContent = String(text);
  }

  function fillList(list, items, build) {
    if (!list) return;
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) { fragment.appendChild(build(item)); });
    list.replaceChildren(fragment);
  }

  function update(data) {
    if (data.closed !== closed) { window.location.reload(); return false; }
    setText(document.getElementById("game-status"), data.summary);
    fillList(document.getElementById("game-players"), data.players, function (name) {
      var li = document.createElement("li");
      li.textContent = name;
      return li;
    });
    var none = document.getElementById("game-no-players");
    if (none) none.hidden = data.players.length > 0;
    var reload = false;
    data.challenges.forEach(function (challenge) {
      if (challenge.revealed && !revealed[String(challenge.id)]) reload = true;
      setText(board.querySelector('[data-answered="' + challenge.id + '"]'), challenge.answered);
      challenge.options.forEach(function (option) {
        var key = challenge.id + "-" + option.id;
        setText(board.querySelector('[data-count="' + key + '"]'), option.count);
        var bar = board.querySelector('[data-bar="' + key + '"]');
        if (bar) bar.style.width = option.share + "%";
      });
    });
    if (reload) { window.location.reload(); return false; }
    fillList(document.getElementById("game-ranking"), data.ranking, function (entry) {
      var li = document.createElement("li");
      li.value = entry.rank;
      var strong = document.createElement("strong");
      strong.textContent = entry.nickname;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(" – " + entry.text));
      return li;
    });
    return true;
  }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404 || response.status === 403) return null;  // logged out or no longer allowed
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (data && update(data)) window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
