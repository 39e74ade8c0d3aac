/* Applies this browser's personal state to the public pages, which are cached and the same for
 * everyone, so they carry none of it.
 *
 * It asks /me.json (personal, never cached) whether this browser holds a participant's link and
 * which sessions they bookmarked, then
 * - makes the header's "Register" link "My agenda";
 * - turns each session's "Add to my agenda" holder ([data-bookmark-actions="KEY"]) into
 *   "★ In my agenda" with a remove action when KEY is bookmarked (a star only, in the compact
 *   holders of timetable cards), and marks the listing ([data-session]) `is-mine`;
 * - adds and removes bookmarks in place (POST /bookmarks/KEY, JSON), keeping focus on the
 *   session's action and saying what happened in a status message.
 * For a visitor who has not registered nothing changes: "Add to my agenda" leads through
 * registration and back. Without JavaScript the links lead to the personal pages. Content added
 * later (Now & Next cards) is marked when its script dispatches "agenda:content" on it.
 */
(function () {
  "use strict";

  var link = document.querySelector("[data-me-link]");
  if (!link || !window.fetch) {
    return;
  }
  var urls = link.dataset;
  var status = document.querySelector("[data-personal-status]");
  var onTemplate = document.getElementById("bookmark-on");
  var badgeTemplate = document.getElementById("bookmark-badge");
  var originals = new WeakMap(); // each holder's own content (the server's "Add" link)
  var me = null;

  function url(pattern, key) {
    return pattern.replace("SESSION", encodeURIComponent(key));
  }

  function say(text) {
    if (status && text) {
      status.textContent = text;
    }
  }

  function show(holder) {
    var key = holder.getAttribute("data-bookmark-actions");
    if (!key) {
      return;
    }
    if (!originals.has(holder)) {
      originals.set(holder, Array.prototype.slice.call(holder.childNodes));
    }
    var on = me.bookmarks.indexOf(key) !== -1;
    var listing = holder.closest("[data-session]");
    if (listing) {
      listing.classList.toggle("is-mine", on);
    }
    holder.textContent = "";
    if (!on) {
      originals.get(holder).forEach(function (node) { holder.appendChild(node); });
    } else if (holder.hasAttribute("data-bookmark-compact")) {
      holder.appendChild(badgeTemplate.content.cloneNode(true));
    } else {
      holder.appendChild(onTemplate.content.cloneNode(true));
      var remove = holder.querySelector(".bookmark-remove");
      remove.href = url(urls.bookmarkPage, key) + "?next=" + encodeURIComponent(window.location.pathname);
    }
  }

  function mark(scope) {
    if (me && me.registered) {
      scope.querySelectorAll("[data-bookmark-actions]").forEach(show);
    }
  }

  function change(holder, action) {
    var key = holder.getAttribute("data-bookmark-actions");
    var body = new URLSearchParams({ csrf_token: me.csrf_token, action: action });
    fetch(url(urls.bookmarks, key), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (data) {
      me.bookmarks = data.bookmarks;
      mark(document);
      var next = holder.querySelector("a");
      if (next) {
        next.focus();
      }
      say(action === "add" ? status.dataset.added : status.dataset.removed);
    }).catch(function () {
      say(status.dataset.failed);
    });
  }

  document.addEventListener("click", function (event) {
    if (!me || !me.registered || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // a new tab or window gets the personal page, as without JavaScript
    }
    var target = event.target.closest("a.bookmark-link, a.bookmark-remove");
    var holder = target && target.closest("[data-bookmark-actions]");
    if (holder) {
      event.preventDefault();
      change(holder, target.classList.contains("bookmark-remove") ? "remove" : "add");
    }
  });

  document.addEventListener("agenda:content", function (event) {
    mark(event.target === document ? document : event.target);
  });

  fetch(urls.me, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.registered) {
        return;
      }
      me = data;
      link.href = urls.registeredHref;
      link.textContent = urls.registeredText;
      mark(document);
    })
    .catch(function () {
      // Offline or refused: the page keeps its links to the personal pages.
    });
})();
