/* Now & Next and join pages: live state over Socket.IO (namespace /live), no reloads.
 *
 * The server sends a `snapshot` on every (re)connection, `board` when which sessions are
 * "now"/"next" changes, `session_state` on each transition (with a `message` when the programme
 * team caused it), and announcements (`notice`, `agenda_changed`). A registered participant (token in the page) also gets `join_open` with
 * their personal link, and `bookmarks_changed`. Cards are clones of the server-rendered
 * <template id="live-card">, filled through their data-field slots. Text is set with
 * textContent only, never as HTML. Whatever it fills is announced with an "agenda:content" event,
 * so that localtime.js adds the viewer's clock and personal.js the bookmark state.
 */
(function () {
  "use strict";

  function countdown() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = parseInt(el.dataset.countdown, 10);
      var timer = setInterval(function () {
        left -= 1;
        if (left <= 0) { clearInterval(timer); window.location.reload(); return; }
        // The words come translated from the server: "{minutes} min {seconds} s".
        el.textContent = el.dataset.countdownPattern
          .replace("{minutes}", Math.floor(left / 60)).replace("{seconds}", left % 60);
      }, 1000);
    });
  }

  function board(root) {
    var token = root.dataset.token || null;
    var joinBase = root.dataset.joinBase;
    var sessionBase = root.dataset.sessionBase;
    var bookmarkBase = root.dataset.bookmarkBase;
    var status = document.querySelector("[data-live-status]");
    var notices = document.querySelector("[data-live-notices]");
    var cardTemplate = document.getElementById("live-card");
    // The words, in the page's language, from the server (webapp/live.py client_texts).
    var texts = JSON.parse(root.dataset.texts || "{}");

    // `text` with its {name} slots filled from `values`.
    function fillIn(text, values) {
      return Object.keys(values || {}).reduce(function (out, key) {
        return out.split("{" + key + "}").join(values[key]);
      }, text);
    }

    function say(name, values) {
      return fillIn(texts[name] || name, values);
    }

    // A change the team made, in this page's language when the server said which one it is.
    function spoken(s) {
      var said = s.announcement;
      var text = said && (texts.announcements || {})[said.kind];
      return text ? fillIn(text, said.values) : s.message;
    }
    var roomTemplate = document.getElementById("live-room");

    function joinUrl(key) {
      return joinBase.replace("SESSION", encodeURIComponent(key)) + "?t=" + encodeURIComponent(token);
    }

    function fill(card, s) {
      card.dataset.session = s.session;
      card.dataset.phase = s.phase;
      card.querySelector('[data-field="phase_label"]').textContent = (texts.phases || {})[s.phase] || s.phase_label;
      card.querySelector('[data-field="delay"]').textContent = s.delay_minutes ? say("delay", { minutes: s.delay_minutes }) : "";
      var title = card.querySelector('[data-field="title"]');
      title.textContent = s.title;
      title.href = sessionBase.replace("SESSION", encodeURIComponent(s.session));
      card.querySelector('[data-field="day"]').textContent = s.day;
      var start = card.querySelector('[data-field="start"]');
      start.textContent = s.start.slice(11, 16);
      start.setAttribute("datetime", s.start_at);
      var end = card.querySelector('[data-field="end"]');
      end.textContent = s.end.slice(11, 16);
      end.setAttribute("datetime", s.end_at);
      var join = card.querySelector('[data-field="join"]');
      if (token) { join.href = joinUrl(s.session); }
      join.hidden = !(token && s.join_open && s.online);
      card.querySelector('[data-field="not_offered"]').hidden = s.online;
      var bookmark = card.querySelector('[data-field="bookmark"]');
      if (!bookmark.getAttribute("data-bookmark-actions")) {
        bookmark.setAttribute("data-bookmark-actions", s.session);
        var add = bookmark.querySelector("a");
        if (add) { add.href = bookmarkBase.replace("SESSION", encodeURIComponent(s.session)); }
      }
    }

    function filled(element) {
      // Once in the page: the event bubbles to the scripts listening on the document.
      element.dispatchEvent(new CustomEvent("agenda:content", { bubbles: true }));
    }

    function slot(section, name, s, empty) {
      var holder = section.querySelector('[data-slot="' + name + '"]');
      while (holder.children.length > 1) { holder.removeChild(holder.lastChild); }
      if (s) {
        var card = cardTemplate.content.firstElementChild.cloneNode(true);
        fill(card, s);
        holder.appendChild(card);
      } else {
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = empty;
        holder.appendChild(p);
      }
    }

    function render(rooms) {
      root.textContent = "";
      rooms.forEach(function (room) {
        var section = roomTemplate.content.firstElementChild.cloneNode(true);
        section.dataset.room = room.room;
        section.querySelector("h2").textContent = room.room_name;
        slot(section, "now", room.now, say("nothing_now"));
        slot(section, "next", room.next, say("nothing_next"));
        root.appendChild(section);
        filled(section);
      });
    }

    var announced = [];

    function announce(text, link) {
      // A participant following a session hears of a change twice (its notice, and the new state).
      if (announced.indexOf(text) !== -1) { return; }
      announced = announced.concat([text]).slice(-20);
      var p = document.createElement("p");
      p.className = "alert";
      p.textContent = text + " ";
      if (link) {
        var a = document.createElement("a");
        a.className = "button";
        a.href = link;
        a.textContent = say("join");
        p.appendChild(a);
      }
      notices.prepend(p);
      while (notices.children.length > 5) { notices.removeChild(notices.lastChild); }
    }

    var auth = { watch: ["event"] };
    if (token) { auth.token = token; }
    var socket = io(root.dataset.namespace, { auth: auth });

    socket.on("connect", function () { status.textContent = say("live"); });
    socket.on("disconnect", function () { status.textContent = say("reconnecting"); });
    socket.on("connect_error", function (error) {
      status.textContent = say("not_connected", { reason: error && error.message ? error.message : say("retrying") });
    });
    socket.on("snapshot", function (data) {
      render(data.rooms);
      (data.open || []).forEach(function (s) { announce(say("open", { title: s.title }), s.url); });
    });
    socket.on("board", function (data) { render(data.rooms); });
    socket.on("session_state", function (s) {
      root.querySelectorAll('.live-card[data-session="' + CSS.escape(s.session) + '"]').forEach(function (card) {
        fill(card, s);
        filled(card);
      });
      if (s.message) { announce(spoken(s)); }
    });
    socket.on("join_open", function (s) { announce(say("open", { title: s.title }), s.url); });
    socket.on("notice", function (n) { announce(n.announcement ? spoken(n) : n.message); });
    socket.on("agenda_changed", function (a) {
      announce(say("agenda_changed", { version: a.version, changes: a.changes.length }));
    });
    socket.on("bookmarks_changed", function (a) {
      a.changes.forEach(function (c) {
        announce(say(c.kind === "cancelled" ? "cancelled" : "moved", { title: c.title }));
      });
    });
  }

  countdown();
  var root = document.querySelector("[data-live]");
  if (root && window.io) { board(root); }
})();
