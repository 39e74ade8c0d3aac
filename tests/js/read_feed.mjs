// Reads iCalendar feeds the way calendar clients do (Mozilla's ical.js, as in Thunderbird) and prints,
// for each file named on the command line, every event with its instants in Unix time, as JSON.
// Each file's VTIMEZONEs are registered first, so times resolve through the feed's own zone data and
// the machine's TZ must make no difference.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

// Calendar apps read a feed's name as TEXT (RFC 7986 NAME, Apple's X-WR-CALNAME); ical.js has no type
// for either, and would leave the escapes in.
for (const name of ["name", "x-wr-calname"]) {
  ICAL.design.icalendar.property[name] = { defaultType: "text" };
}

function readEvent(component) {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    url: component.getFirstPropertyValue("url"),
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    zone: event.startDate.zone.tzid,
    endZone: event.endDate.zone.tzid,
    start: event.startDate.toUnixTime(),
    end: event.endDate.toUnixTime(),
    dtstamp: component.getFirstPropertyValue("dtstamp").toUnixTime(),
    lastModified: component.getFirstPropertyValue("last-modified").toUnixTime(),
    alarms: component.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toSeconds()),
  };
}

function readCalendar(path) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  return {
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    rfc7986Name: calendar.getFirstPropertyValue("name"),
    timezone: calendar.getFirstPropertyValue("x-wr-timezone"),
    events: calendar.getAllSubcomponents("vevent").map(readEvent),
  };
}

process.stdout.write(JSON.stringify(process.argv.slice(2).map(readCalendar)));
