/* Shows each agenda time on the visitor's own clock beside the event's.
 *
 * The server prints event-time wall clocks inside <time datetime="2025-07-08T10:00:00+02:00">
 * elements, grouped in [data-localize] containers (a start and an end). When the visitor's time
 * zone reads a different clock at that instant, this appends "04:00–05:00 your time" (with the
 * weekday when the date differs too) and tells them which zone that is. A timetable's time axis
 * ([data-localize="axis"]) gets the bare local time, and its [data-local-legend] heading says
 * "your time" once. Without JavaScript, or for visitors in the event's zone, the page stays as the
 * server wrote it.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var eventZone = root.getAttribute("data-event-timezone");
  if (!eventZone || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  function formatter(zone, withDay) {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone };
    if (withDay) {
      options.weekday = "short";
    }
    try {
      return new Intl.DateTimeFormat("en-GB", options);
    } catch (error) {
      return null; // an unknown zone name: leave the page as it is
    }
  }

  var dayKey = { year: "numeric", month: "2-digit", day: "2-digit" };
  var eventClock = formatter(eventZone, false);
  var viewerClock = formatter(viewerZone, false);
  var viewerDayClock = formatter(viewerZone, true);
  var eventDate = new Intl.DateTimeFormat("en-CA", Object.assign({ timeZone: eventZone }, dayKey));
  var viewerDate = new Intl.DateTimeFormat("en-CA", Object.assign({ timeZone: viewerZone }, dayKey));
  if (!eventClock || !viewerClock) {
    return;
  }

  function localText(moment) {
    var sameDay = eventDate.format(moment) === viewerDate.format(moment);
    return (sameDay ? viewerClock : viewerDayClock).format(moment);
  }

  function differs(moment) {
    return eventClock.format(moment) !== viewerClock.format(moment) ||
      eventDate.format(moment) !== viewerDate.format(moment);
  }

  function zoneName() {
    return viewerZone ? viewerZone.replace(/_/g, " ") : "your time zone";
  }

  function localize(container) {
    var moments = [];
    var times = container.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i += 1) {
      var moment = new Date(times[i].getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return false;
      }
      moments.push(moment);
    }
    if (moments.length === 0 || !moments.some(differs)) {
      return false;
    }
    var span = document.createElement("span");
    span.className = "local-time";
    span.setAttribute("title", "Your time: " + zoneName());
    var axis = container.getAttribute("data-localize") === "axis";
    span.textContent = moments.map(localText).join("–") + (axis ? "" : " your time");
    container.appendChild(span);
    return true;
  }

  function append(selector, className, text) {
    var targets = document.querySelectorAll(selector);
    for (var i = 0; i < targets.length; i += 1) {
      var span = document.createElement("span");
      span.className = className;
      span.textContent = text;
      targets[i].appendChild(span);
    }
  }

  function explain() {
    append("[data-tz-note]", "tz-viewer", "Times marked “your time” are in your time zone (" + zoneName() + ").");
    append("[data-local-legend]", "local-time", "your time");
  }

  var containers = document.querySelectorAll("[data-localize]");
  var shown = false;
  for (var i = 0; i < containers.length; i += 1) {
    shown = localize(containers[i]) || shown;
  }
  if (shown) {
    explain();
  }
})();
