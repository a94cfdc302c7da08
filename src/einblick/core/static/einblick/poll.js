// Progress of background work (programme planner, talk allocation): while the status box carries data-poll, fetch
// that URL every 2 s and swap the box (same id) for the fresh one; when the new box no longer polls, reload the page
// (data-reload or the current address) so that the result shows. Without JavaScript the page shows the state at
// load time and a reload shows the rest.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll][id]");
  if (!box) return;
  var id = box.id;
  function tick() {
    fetch(box.dataset.poll, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var next = holder.querySelector("#" + id);
        if (!next) return;
        if (next.dataset.poll) {
          box.replaceWith(next);
          box = next;
          window.setTimeout(tick, 2000);
        } else {
          window.location.assign(box.dataset.reload || window.location.href);
        }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
