// Programme planner: while a run is queued or running, poll its status box; reload the page when it is done.
(function () {
  "use strict";
  var box = document.getElementById("plan-status");
  if (!box || !box.dataset.poll) return;
  function tick() {
    fetch(box.dataset.poll, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var next = holder.querySelector("#plan-status");
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
