// Parse an iCalendar file with Mozilla's ical.js (the parser inside Thunderbird) and print
// what it understood, one JSON object per VEVENT, so the Python tests can compare instants.
//
//   node tests/js/parse_ics.mjs FILE
//
// Every VTIMEZONE in the file is registered with ICAL.TimezoneService before any event is
// read, so TZID times are converted with the feed's own zone rules (not the machine's).
// A parse error, or a TZID that names no registered zone, exits non-zero.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node parse_ics.mjs FILE");
  process.exit(2);
}

const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
const zones = [];
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  zones.push(zone.tzid);
}

// A DATE value as written ("2027-04-27"); a DATE-TIME as its UTC instant.
function when(time, tzid) {
  if (time === null) return null;
  if (time.isDate) return time.toString();
  if (tzid !== null && time.zone.tzid !== tzid) {
    throw new Error(`TZID ${tzid} was not resolved (zone ${time.zone.tzid})`);
  }
  return time.toJSDate().toISOString();
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const tzidOf = (name) => vevent.getFirstProperty(name)?.getParameter("tzid") ?? null;
  const hasEnd = vevent.hasProperty("dtend");
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    all_day: event.startDate.isDate,
    start_zone: event.startDate.zone?.tzid ?? null,
    start: when(event.startDate, tzidOf("dtstart")),
    end: hasEnd ? when(event.endDate, tzidOf("dtend")) : null,
  };
});

process.stdout.write(
  JSON.stringify({
    calname: calendar.getFirstPropertyValue("x-wr-calname"),
    caldesc: calendar.getFirstPropertyValue("x-wr-caldesc"),
    zones,
    events,
  }) + "\n",
);
