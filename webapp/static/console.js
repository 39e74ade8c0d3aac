// The programme team's console: live job progress, sortable tables. No inline scripts (CSP).
(function () {
  "use strict";

  // --- a solve job's progress: polled from the console API; a reload shows the same state -----
  function figure(value, digits) {
    return value === null || value === undefined ? "\u2013" : Number(value).toFixed(digits);
  }

  function watchJob(card) {
    var url = card.getAttribute("data-job-url");
    var finished = ["done", "stopped", "failed"];
    var every = 1000;
    if (finished.indexOf(card.getAttribute("data-job-state")) >= 0) return;
    function set(name, text) {
      var el = card.querySelector('[data-field="' + name + '"]');
      if (el) el.textContent = text;
    }
    function show(state, p) {
      p = p || {};
      set("state", state);
      set("elapsed", figure(p.elapsed, 1));
      set("objective", figure(p.objective, 2));
      set("bound", figure(p.bound, 2));
      set("gap", p.gap === null || p.gap === undefined ? "\u2013" : (p.gap * 100).toFixed(1) + "%");
      set("track_clashes", figure(p.track_clashes, 0));
      if (finished.indexOf(state) >= 0) {
        window.location.reload();  // the draft link and final figures come with the page
        return true;
      }
      return false;
    }
    // Pushed through the message queue when there is one; polling stays on, slower, as the fallback.
    var namespace = card.getAttribute("data-push");
    if (namespace && window.io) {
      var socket = window.io(namespace, {transports: ["websocket", "polling"]});
      socket.on("connect", function () { socket.emit("watch", {job: card.getAttribute("data-job-id")}); });
      socket.on("job", function (message) { show(message.state, message.progress); });
      every = 5000;
    }
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (job && show(job.state, job.progress)) return;
          window.setTimeout(poll, every);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 500);
  }

  // --- sortable tables: a button in each column heading ------------------------------------------
  function cellValue(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return /^-?[0-9.,%\/ ]+$/.test(text) && !isNaN(number) ? number : text.toLowerCase();
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-url]").forEach(watchJob);
    document.querySelectorAll("table.sortable").forEach(makeSortable);
  });
})();
