// The widget's pure helpers (URL building, date grouping, labels): node --test tests/js/widget.test.mjs
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  FILTERS,
  LABELS,
  agendaUrl,
  apiBase,
  apiUrl,
  dayLabel,
  dayOf,
  eventUrl,
  groupByDay,
  jsonLd,
  pickLang,
  placeLabel,
  priceLabel,
  readOptions,
  whenLabel,
} from "../../widgets/static/regio-agenda.js";

const BASE = "https://agenda.example/";
const attrs = (values) => (name) => (name in values ? values[name] : null);
const options = (values, pageLang) => readOptions(attrs({ api: BASE, ...values }), pageLang);

test("options: defaults, clamping and unknown values", () => {
  const o = options({});
  assert.deepEqual(o, { base: BASE, lang: "nl", layout: "list", limit: 5, filters: [] });
  assert.equal(options({ limit: "500" }).limit, 50);
  assert.equal(options({ limit: "0" }).limit, 5);
  assert.equal(options({ limit: "-3" }).limit, 1);
  assert.equal(options({ limit: "zes" }).limit, 5);
  assert.equal(options({ layout: "cards" }).layout, "cards");
  assert.equal(options({ layout: "grid" }).layout, "list");
  assert.deepEqual(options({ city: " Leiden ", venue: "", theme: "rembrandt-2019" }).filters, [
    ["city", "Leiden"],
    ["theme", "rembrandt-2019"],
  ]);
  assert.deepEqual(FILTERS, ["city", "venue", "theme", "category", "audience", "kind", "q", "free", "language"]);
});

test("language: the attribute, else the host page's, else Dutch", () => {
  assert.equal(pickLang("en"), "en");
  assert.equal(pickLang("en-GB"), "en");
  assert.equal(pickLang("EN"), "en");
  assert.equal(pickLang("nl", "en"), "nl");
  assert.equal(pickLang("de"), "nl");
  assert.equal(pickLang("english"), "nl");
  assert.equal(pickLang(null, "en-US"), "en");
  assert.equal(pickLang(null, ""), "nl");
  assert.equal(pickLang("", "en"), "nl");
  assert.deepEqual(Object.keys(LABELS.nl).sort(), Object.keys(LABELS.en).sort());
});

test("api base: http(s) only, always ending in a slash, without query", () => {
  assert.equal(apiBase("http://127.0.0.1:8000"), "http://127.0.0.1:8000/");
  assert.equal(apiBase("https://h.example/agenda?x=1#y"), "https://h.example/agenda/");
  const own = apiBase(null);
  // the folder above the script's: https://HOST/widgets/regio-agenda.js -> https://HOST/
  assert.equal(own, new URL("../../widgets/", import.meta.url).href);
  assert.equal(apiBase("javascript:alert(1)"), own);
  assert.equal(apiBase("data:text/html,x"), own);
});

test("urls: the API, the agenda with the same filters, an event page", () => {
  const o = options({ city: "Den Haag", category: "Lezing & debat", limit: "3", lang: "en" });
  // lang asks for English titles; it selects nothing (language=en would)
  assert.equal(apiUrl(o), "https://agenda.example/api/events?city=Den+Haag&category=Lezing+%26+debat&limit=3&lang=en");
  assert.equal(agendaUrl(o), "https://agenda.example/?city=Den+Haag&category=Lezing+%26+debat&lang=en");
  assert.equal(eventUrl(o, "a/b c"), "https://agenda.example/events/a%2Fb%20c?lang=en");
  assert.equal(apiUrl(options({})), "https://agenda.example/api/events?limit=5&lang=nl");
});

test("dayOf: the Amsterdam day of a start, across midnight and daylight saving", () => {
  assert.equal(dayOf("2027-01-15"), "2027-01-15");
  assert.equal(dayOf("2027-01-15T23:30:00+01:00"), "2027-01-15");
  assert.equal(dayOf("2027-01-15T23:30:00Z"), "2027-01-16"); // 00:30 in Amsterdam
  assert.equal(dayOf("2027-07-15T22:30:00Z"), "2027-07-16"); // summer: +02:00
  assert.equal(dayOf("2027-07-15T21:30:00Z"), "2027-07-15");
  assert.equal(dayOf(new Date("2027-03-28T00:30:00Z")), "2027-03-28");
});

test("groupByDay: by start day, events still running show on the first day", () => {
  const events = [
    { title: "expo", start: "2027-01-01", end: "2027-05-31", all_day: true },
    { title: "a", start: "2027-01-20T10:00:00+01:00" },
    { title: "b", start: "2027-01-20T20:00:00+01:00" },
    { title: "c", start: "2027-01-21T00:15:00+01:00" },
    { title: "d", start: "2027-01-23" },
  ];
  const groups = groupByDay(events, "2027-01-20");
  assert.deepEqual(
    groups.map((g) => [g.day, g.events.map((e) => e.title)]),
    [
      ["2027-01-20", ["expo", "a", "b"]],
      ["2027-01-21", ["c"]],
      ["2027-01-23", ["d"]],
    ],
  );
  assert.deepEqual(groupByDay([], "2027-01-20"), []);
});

test("day labels in Dutch and English, today and tomorrow, the year only when it differs", () => {
  assert.equal(dayLabel("2027-02-03", "nl", "2027-01-20"), "woensdag 3 februari");
  assert.equal(dayLabel("2027-02-03", "en", "2027-01-20"), "Wednesday 3 February");
  assert.equal(dayLabel("2027-01-20", "nl", "2027-01-20"), "vandaag, woensdag 20 januari");
  assert.equal(dayLabel("2027-01-21", "en", "2027-01-20"), "tomorrow, Thursday 21 January");
  assert.equal(dayLabel("2028-01-03", "en", "2027-12-31"), "Monday, 3 January 2028");
  // tomorrow across the switch to summer time
  assert.equal(dayLabel("2027-03-28", "en", "2027-03-27"), "tomorrow, Sunday 28 March");
  assert.equal(dayLabel("2027-10-31", "nl", "2027-10-30"), "morgen, zondag 31 oktober");
});

test("time labels: times in Amsterdam, all-day without time, ranges", () => {
  const timed = { start: "2027-02-03T20:00:00+01:00", end: "2027-02-03T22:15:00+01:00", all_day: false };
  assert.equal(whenLabel(timed, "nl"), "20:00–22:15");
  assert.equal(whenLabel({ ...timed, start: "2027-07-03T18:00:00Z", end: null }, "en"), "20:00");
  assert.equal(whenLabel({ ...timed, end: "2027-02-04T01:00:00+01:00" }, "en"), "20:00");
  assert.equal(whenLabel(timed, "en", true), "Wed 3 Feb 20:00–22:15");
  const day = { start: "2027-02-03", end: "2027-02-03", all_day: true };
  assert.equal(whenLabel(day, "nl"), "hele dag");
  assert.equal(whenLabel(day, "en"), "all day");
  assert.equal(whenLabel({ ...day, end: null }, "en"), "all day");
  assert.equal(whenLabel({ ...day, end: "2027-05-31" }, "nl"), "t/m 31 mei");
  assert.equal(whenLabel({ ...day, end: "2027-05-31" }, "en", true), "Wed 3 Feb until 31 May");
  assert.match(whenLabel(day, "nl", true), /^wo 3 feb\.?$/);
});

test("place and price labels", () => {
  assert.equal(placeLabel({ venue: { name: "Museum De Lakenhal", city: "Leiden" }, city: "Leiden" }), "Museum De Lakenhal, Leiden");
  assert.equal(placeLabel({ venue: null, city: "Delft" }), "Delft");
  assert.equal(placeLabel({ venue: { name: "Delft", city: "Delft" } }), "Delft");
  assert.equal(placeLabel({ venue: null, city: null }), "");
  assert.equal(priceLabel({ is_free: true }, "en"), "free");
  assert.equal(priceLabel({ price: "€ 12,50" }, "nl"), "€ 12,50");
  assert.equal(priceLabel({}, "nl"), "");
});

test("JSON-LD: schema.org Events that cannot close their script element", () => {
  const o = options({ lang: "en" });
  const text = jsonLd(
    [
      { id: "e1", title: "</script><img src=x onerror=alert(1)>", start: "2027-02-03T20:00:00+01:00", end: null,
        status: "cancelled", venue: { id: "lakenhal", name: "Museum De Lakenhal", city: "Leiden" }, city: "Leiden" },
      { id: "e2", title: "Expo", start: "2027-02-01", end: "2027-05-31", status: "scheduled", venue: null, city: "Delft" },
    ],
    o,
  );
  assert.ok(!text.includes("<"), text);
  const data = JSON.parse(text);
  assert.equal(data[0]["@type"], "Event");
  assert.equal(data[0].name, "</script><img src=x onerror=alert(1)>");
  assert.equal(data[0].eventStatus, "https://schema.org/EventCancelled");
  assert.equal(data[0].url, "https://agenda.example/events/e1?lang=en");
  assert.equal(data[0].location.name, "Museum De Lakenhal");
  assert.equal("endDate" in data[0], false);
  assert.equal(data[1].endDate, "2027-05-31");
  assert.deepEqual(data[1].location, { "@type": "Place", name: "Delft", address: { "@type": "PostalAddress", addressLocality: "Delft" } });
  assert.equal(data[1].eventStatus, "https://schema.org/EventScheduled");
});

test("the module loads without a DOM and defines nothing there", async () => {
  const module = await import("../../widgets/static/regio-agenda.js");
  assert.equal(typeof module.RegioAgenda, "function");
  assert.equal(globalThis.customElements, undefined);
});
