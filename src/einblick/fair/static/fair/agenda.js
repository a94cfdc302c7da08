// Einblick fair: the "Bookmark" (Merken) buttons and "My agenda" (Meine Merkliste). Pages work without it:
// the buttons are forms the server handles. With an account the server keeps the agenda; without one this
// script keeps the session ids in localStorage and sends them to the agenda page as ?ids=3,7,12.
(function () {
  "use strict";
  var PREFIX = "einblick-agenda:";

  function load(fair) {
    try {
      var ids = JSON.parse(window.localStorage.getItem(PREFIX + fair) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return typeof id === "number" && id > 0; }) : [];
    } catch (e) {
      return [];
    }
  }

  function store(fair, ids) {
    try {
      if (ids.length) window.localStorage.setItem(PREFIX + fair, JSON.stringify(ids));
      else window.localStorage.removeItem(PREFIX + fair);
    } catch (e) { /* private mode or storage full: the server copy still works for this visit */ }
  }

  function show(session, saved) {
    document.querySelectorAll('form.agenda-toggle[data-session="' + session + '"] button').forEach(function (b) {
      b.setAttribute("aria-pressed", saved ? "true" : "false");
      b.value = saved ? "remove" : "add";
    });
  }

  function agendaUrl(href, ids) {
    var url = new URL(href, window.location.href);
    if (ids.length) url.searchParams.set("ids", ids.join(","));
    else url.searchParams.delete("ids");
    return url.toString();
  }

  // Without an account: the browser's list decides; bookmarks that reached the server without JS join it.
  document.querySelectorAll("form.agenda-toggle:not([data-account])").forEach(function (form) {
    var fair = form.dataset.fair, id = Number(form.dataset.session), ids = load(fair);
    var button = form.querySelector("button");
    if (button.getAttribute("aria-pressed") === "true" && ids.indexOf(id) < 0) {
      ids.push(id);
      store(fair, ids);
    }
    show(id, ids.indexOf(id) >= 0);
  });

  document.querySelectorAll("a[data-agenda-link]").forEach(function (link) {
    link.href = agendaUrl(link.href, load(link.dataset.agendaLink));
  });

  var page = document.querySelector("[data-agenda-page]");
  if (page) {
    var fair = page.dataset.agendaPage, stored = load(fair);
    if (!page.dataset.account && stored.length && !new URLSearchParams(window.location.search).has("ids")) {
      window.location.replace(agendaUrl(window.location.href, stored));
      return;
    }
    var importForm = page.querySelector("form.agenda-import");
    if (page.dataset.account && importForm && stored.length) {
      importForm.querySelector('input[name="ids"]').value = stored.join(",");
      importForm.hidden = false;
      importForm.addEventListener("submit", function () { store(fair, []); });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.agenda-toggle");
    if (!form) return;
    event.preventDefault();
    var id = Number(form.dataset.session), fair = form.dataset.fair, button = form.querySelector("button");
    var adding = button.getAttribute("aria-pressed") !== "true";
    var body = new FormData(form);
    body.set("action", adding ? "add" : "remove");
    // The button is named "action", so form.action would be the button: read the attribute.
    var request = fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    });
    if (!form.dataset.account) {
      var ids = load(fair).filter(function (other) { return other !== id; });
      if (adding) ids.push(id);
      store(fair, ids);
      show(id, adding);
      document.querySelectorAll("a[data-agenda-link]").forEach(function (link) {
        link.href = agendaUrl(link.href, load(link.dataset.agendaLink));
      });
      if (page && !adding) {
        // Wait for the server to forget it too: the list page also shows what reached the server's session.
        var reload = function () { window.location.replace(agendaUrl(window.location.href, ids)); };
        request.then(reload, reload);
      }
      return;
    }
    button.disabled = true;
    request.then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      show(id, data.saved);
      button.disabled = false;
      if (page && !data.saved) window.location.reload();
    }).catch(function () {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "action";
      field.value = adding ? "add" : "remove";
      form.appendChild(field);
      form.submit();
    });
  });
})();
