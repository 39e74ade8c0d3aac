/* Shows each agenda time on the visitor's chosen clock after the event's, on every page.
 *
 * The server prints event-time wall clocks inside <time datetime="2025-07-08T10:00:00+02:00">
 * elements, grouped in [data-localize] containers (a start and an end). The header's zone switch
 * ([data-zone-switch], shown by this script) chooses the second clock: none ("event"), the
 * browser's zone ("browser", the default) or any IANA zone; the choice is kept in localStorage,
 * so it holds on every page (and in every tab: they follow a change at once). When the chosen
 * zone reads a different clock, this appends the event zone's name and then the same moment on
 * the chosen clock, named too: "10:00–10:45 Geneva time · 04:00–04:45 New York time" (with the
 * weekday when the date differs). A timetable's time axis ([data-localize="axis"]) gets the bare
 * local time, and its [data-local-legend] heading names the zone once.
 *
 * Content added later (Now & Next cards) is localized when its script dispatches an
 * "agenda:content" event on it. Without JavaScript the page shows the event's clock, as written.
 * Every text comes from the page, where it is translated.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var eventZone = root.getAttribute("data-event-timezone");
  if (!eventZone || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var KEY = "agenda.timeZone";
  var ADDED = "data-tz-added";
  var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var switcher = document.querySelector("[data-zone-switch]");
  var texts = switcher ? switcher.dataset : {};
  var dayKey = { year: "numeric", month: "2-digit", day: "2-digit" };
  // Weekdays in the page's language; English keeps the 24-hour British style of the pages.
  var pageLocale = !root.lang || root.lang === "en" ? "en-GB" : root.lang;

  function formatter(zone, options, locale) {
    try {
      return new Intl.DateTimeFormat(locale || pageLocale, Object.assign({ timeZone: zone }, options));
    } catch (error) {
      return null; // an unknown zone name
    }
  }

  function readChoice() {
    try {
      return window.localStorage.getItem(KEY) || "browser";
    } catch (error) {
      return "browser"; // storage blocked: the default, on every page
    }
  }

  function keepChoice(choice) {
    try {
      window.localStorage.setItem(KEY, choice);
    } catch (error) {
      // Not remembered; this page still follows the choice.
    }
  }

  function place(zone) {
    return zone.split("/").pop().replace(/_/g, " ");
  }

  function zoneLabel(zone) {
    return (texts.zonePattern || "{place}").replace("{place}", place(zone));
  }

  /* The clocks to show beside the event's, or null for none. */
  function clocks(choice) {
    var zone = choice === "event" ? null : (choice === "browser" ? browserZone : choice);
    if (!zone) {
      return null;
    }
    var hm = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    var view = {
      zone: zone,
      label: zoneLabel(zone),
      time: formatter(zone, hm),
      dayTime: formatter(zone, Object.assign({ weekday: "short" }, hm)),
      date: formatter(zone, dayKey, "en-CA"),
      eventTime: formatter(eventZone, hm),
      eventDate: formatter(eventZone, dayKey, "en-CA")
    };
    return view.time && view.eventTime ? view : null;
  }

  function differs(view, moment) {
    return view.eventTime.format(moment) !== view.time.format(moment) ||
      view.eventDate.format(moment) !== view.date.format(moment);
  }

  function localText(view, moment) {
    var sameDay = view.eventDate.format(moment) === view.date.format(moment);
    return (sameDay ? view.time : view.dayTime).format(moment);
  }

  function added(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.setAttribute(ADDED, "");
    node.textContent = text;
    return node;
  }

  function localize(view, container) {
    // Again after a change (a live update, a new choice): what was added before goes first.
    container.querySelectorAll("[" + ADDED + "]").forEach(function (node) { node.remove(); });
    var moments = [];
    var times = container.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i += 1) {
      var moment = new Date(times[i].getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return false;
      }
      moments.push(moment);
    }
    if (moments.length === 0 || !moments.some(function (m) { return differs(view, m); })) {
      return false;
    }
    var local = moments.map(function (m) { return localText(view, m); }).join("–");
    if (container.getAttribute("data-localize") === "axis") {
      container.appendChild(added("span", "local-time", local));
      return true;
    }
    // The event's zone is named first (unless the page already names it), then the chosen one.
    if (texts.eventLabel && !container.querySelector("[data-zone-event]")) {
      container.appendChild(added("span", "zone-event", " " + texts.eventLabel));
    }
    var span = added("span", "local-time", "");
    span.appendChild(added("span", "tz-sep", " · "));
    span.appendChild(added("span", "local-range", local));
    span.appendChild(document.createTextNode(" "));
    span.appendChild(added("span", "zone-name", view.label));
    span.setAttribute("title", view.zone.replace(/_/g, " "));
    container.appendChild(span);
    return true;
  }

  function explain(view) {
    document.querySelectorAll("[data-tz-note]").forEach(function (note) {
      note.appendChild(added("span", "tz-viewer", (texts.alsoText || "{zone}").replace("{zone}", view.label)));
    });
    document.querySelectorAll("[data-local-legend]").forEach(function (legend) {
      legend.appendChild(added("span", "local-time", view.label));
    });
  }

  var choice = readChoice();
  var view = clocks(choice);
  if (!view && choice !== "event") {
    choice = "browser";
    view = clocks(choice);
  }
  var explained = false;

  function render(scope) {
    if (!view) {
      return;
    }
    var shown = false;
    var containers = scope.querySelectorAll("[data-localize]");
    for (var i = 0; i < containers.length; i += 1) {
      shown = localize(view, containers[i]) || shown;
    }
    if (shown && !explained) {
      explained = true;
      explain(view);
    }
  }

  function rerender() {
    document.querySelectorAll("[" + ADDED + "]").forEach(function (node) { node.remove(); });
    explained = false;
    view = clocks(choice);
    render(document);
  }

  function zoneOptions(list) {
    var zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
    if (zones.indexOf(choice) === -1 && choice !== "event" && choice !== "browser") {
      zones = zones.concat([choice]);
    }
    zones.forEach(function (zone) {
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.replace(/_/g, " ");
      list.appendChild(option);
    });
  }

  function setUpSwitch() {
    var select = switcher.querySelector("[data-zone-choice]");
    var mine = select.querySelector('option[value="browser"]');
    mine.textContent = mine.dataset.text.replace("{zone}", zoneLabel(browserZone));
    zoneOptions(select.querySelector("[data-zone-list]"));
    select.value = choice;
    select.addEventListener("change", function () {
      choice = select.value;
      keepChoice(choice);
      rerender();
    });
    // Another tab changed the choice: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) {
        choice = readChoice();
        select.value = choice;
        rerender();
      }
    });
    switcher.hidden = false;
  }

  if (switcher) {
    setUpSwitch();
  }
  render(document);
  document.addEventListener("agenda:content", function (event) {
    render(event.target === document ? document : event.target);
  });
})();
