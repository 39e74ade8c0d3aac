// The timetable editor: drag a session card to another cell with pointer events (mouse, pen or
// touch), sent to the console API with the draft's revision; other editors' edits arrive over
// Socket.IO. The list form on the page does the same without dragging (WCAG 2.5.7). No inline
// scripts (CSP): everything the script needs is in data attributes of #editor.
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var draft = root.getAttribute("data-draft");
  var statusBox = document.getElementById("editor-status");
  var refusedBox = document.getElementById("editor-refused");

  function revision() { return parseInt(root.getAttribute("data-revision"), 10); }

  function setRevision(value) {
    root.setAttribute("data-revision", String(value));
    document.querySelectorAll("[data-revision-field]").forEach(function (field) { field.value = value; });
    var badge = root.querySelector('[data-field="revision"]');
    if (badge) badge.textContent = badge.textContent.replace(/\d+/, String(value));
  }

  function say(box, lines) {
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
    box.hidden = lines.length === 0;
  }

  function cellFor(room, start) {
    return root.querySelector('td[data-room="' + room + '"][data-start="' + (start || "").slice(0, 16) + '"]');
  }

  // Put each changed session's card where the draft now has it (or drop it when it is off this view).
  function apply(changes) {
    changes.forEach(function (change) {
      var card = root.querySelector('.ed-card[data-session="' + change.session + '"]');
      var cell = change.room ? cellFor(change.room, change.start) : null;
      if (!card && cell) {
        // Moved here from a day or filter this page does not show: a plain card, by its id.
        card = document.createElement("div");
        card.className = "grid-session ed-card";
        card.setAttribute("data-session", change.session);
        card.textContent = change.session + " ";
        var span = document.createElement("span");
        span.className = "muted";
        card.appendChild(span);
      }
      if (!card) return;
      if (cell) {
        cell.appendChild(card);
        card.setAttribute("data-placed", "");
        var time = card.querySelector(".muted");
        if (time) time.textContent = change.start.slice(11, 16) + "\u2013" + change.end.slice(11, 16);
      } else {
        card.remove();
      }
    });
  }

  function send(edit, body) {
    body.revision = revision();
    say(refusedBox, []);
    return fetch(root.getAttribute("data-api").replace("EDIT", edit), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRF-Token": root.getAttribute("data-csrf")},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (answer) {
      if (answer.ok) {
        setRevision(answer.data.revision);
        apply(answer.data.changes);
        var lines = answer.data.changes.map(function (c) { return c.describe; })
          .concat(answer.data.effects, answer.data.override);
        say(statusBox, [root.getAttribute("data-msg-done")].concat(lines));
        return;
      }
      say(refusedBox, [answer.data.message].concat(answer.data.issues || []));
      if (answer.data.issues && answer.data.issues.length && !body.override) {
        var keep = document.createElement("button");
        keep.type = "button";
        keep.className = "button button-quiet";
        keep.textContent = root.getAttribute("data-msg-override");
        keep.addEventListener("click", function () { body.override = true; send(edit, body); });
        refusedBox.appendChild(keep);
      }
    }).catch(function () { say(refusedBox, [root.getAttribute("data-msg-failed")]); });
  }

  // --- dragging with pointer events ---------------------------------------------------------------
  var dragging = null;

  function targetAt(x, y) {
    var under = document.elementFromPoint(x, y);
    return under ? under.closest("td[data-room]") : null;
  }

  function mark(cell) {
    root.querySelectorAll("td.ed-target").forEach(function (c) { c.classList.remove("ed-target"); });
    if (cell) cell.classList.add("ed-target");
  }

  root.addEventListener("pointerdown", function (event) {
    var card = event.target.closest(".ed-card");
    if (!card || event.button !== 0) return;
    event.preventDefault();
    dragging = {card: card, from: card.closest("td[data-room]")};
    card.classList.add("ed-dragging");
  });

  document.addEventListener("pointermove", function (event) {
    if (dragging) mark(targetAt(event.clientX, event.clientY));
  });

  document.addEventListener("pointerup", function (event) {
    if (!dragging) return;
    var card = dragging.card, from = dragging.from;
    dragging = null;
    card.classList.remove("ed-dragging");
    var cell = targetAt(event.clientX, event.clientY);
    mark(null);
    if (!cell || cell === from) return;
    send("move", {session: card.getAttribute("data-session"), room: cell.getAttribute("data-room"),
                start: cell.getAttribute("data-start")});
  });

  // --- other editors' edits -------------------------------------------------------------------------
  if (window.io) {
    var socket = window.io(root.getAttribute("data-namespace"), {transports: ["websocket", "polling"]});
    socket.on("connect", function () { socket.emit("watch", {draft: draft}); });
    socket.on("draft", function (message) {
      if (String(message.draft) !== draft || message.revision <= revision()) return;
      setRevision(message.revision);
      apply(message.changes);
      say(statusBox, [root.getAttribute("data-msg-other") + " " + message.by]
        .concat(message.changes.map(function (c) { return c.describe; })));
    });
  }
})();
