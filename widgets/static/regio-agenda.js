/* <regio-agenda>: the regional agenda on any website. Hand-written, no build step, no dependencies.

     <script type="module" src="https://HOST/widgets/regio-agenda.js"></script>
     <regio-agenda city="Leiden" limit="5" lang="en" layout="list|compact|cards" seo>
       <a href="https://HOST/?city=Leiden">Agenda</a>   <!-- shown only without scripts -->
     </regio-agenda>

   Filters (city venue theme category audience kind q free language) go to the CORS-open
   /api/events of the agenda this script came from (or the `api` attribute): one request
   per set of filters, revalidated with If-None-Match, no cookies, no storage.
   Event text only ever enters the page through textContent and attributes.
   Styling: --regio-accent --regio-font --regio-radius --regio-spacing --regio-text
   --regio-background --regio-muted, and the parts list day item picture title date venue
   price badge more status. `accent` sets --regio-accent without a style attribute (strict CSP).
*/

const TZ = "Europe/Amsterdam";
const DAY = 864e5;
const FRESH = 6e4; // the API's max-age: within it a known answer is reused without asking
export const FILTERS = ["city", "venue", "theme", "category", "audience", "kind", "q", "free", "language"];
export const LAYOUTS = ["list", "compact", "cards"];
const DEFAULT_BASE = new URL("..", import.meta.url).href;

export const LABELS = {
  nl: {
    loading: "De agenda wordt geladen…",
    empty: "Geen activiteiten gevonden.",
    error: "De agenda kan nu niet worden geladen.",
    setup: "Deze widget is verkeerd ingesteld: ",
    address: "het agenda-adres antwoordde ",
    more: "Meer in de regionale agenda",
    list: "Agenda",
    today: "vandaag",
    tomorrow: "morgen",
    allDay: "hele dag",
    until: "t/m",
    free: "gratis",
    cancelled: "Geannuleerd",
    postponed: "Uitgesteld",
  },
  en: {
    loading: "Loading the agenda…",
    empty: "No events found.",
    error: "The agenda cannot be loaded right now.",
    setup: "This widget is set up wrongly: ",
    address: "the agenda address answered ",
    more: "More in the regional agenda",
    list: "What's on",
    today: "today",
    tomorrow: "tomorrow",
    allDay: "all day",
    until: "until",
    free: "free",
    cancelled: "Cancelled",
    postponed: "Postponed",
  },
};

/** "en" for an English language tag (the attribute, else the host page's), else "nl". */
export const pickLang = (value, page) =>
  /^en\b/i.test(value || (value == null ? page || "" : "")) ? "en" : "nl";

/** The agenda's base address (ending in "/"): an http(s) `api` value, else the script's origin. */
export function apiBase(value) {
  if (value) {
    try {
      const url = new URL(value, DEFAULT_BASE);
      url.search = url.hash = "";
      if (/^https?:$/.test(url.protocol)) return url.href.replace(/\/?$/, "/");
    } catch {}
  }
  return DEFAULT_BASE;
}

/** The widget's settings from its attributes (`get` is e.g. name => el.getAttribute(name)). */
export function readOptions(get, pageLang) {
  const filters = [];
  for (const name of FILTERS) {
    const value = (get(name) || "").trim();
    if (value) filters.push([name, value]);
  }
  return {
    base: apiBase(get("api")),
    lang: pickLang(get("lang"), pageLang),
    layout: LAYOUTS.includes(get("layout")) ? get("layout") : "list",
    limit: Math.min(50, Math.max(1, parseInt(get("limit"), 10) || 5)),
    filters,
  };
}

const query = (pairs) => {
  const text = new URLSearchParams(pairs).toString();
  return text ? "?" + text : "";
};
// `lang` makes the API's titles English where a source gave one; it never drops events.
export const apiUrl = (o) =>
  o.base + "api/events" + query([...o.filters, ["limit", o.limit], ["lang", o.lang]]);
export const agendaUrl = (o) => o.base + query([...o.filters, ["lang", o.lang]]);
export const eventUrl = (o, id) =>
  o.base + "events/" + encodeURIComponent(id) + query([["lang", o.lang]]);

const isDate = (text) => text.length == 10;
// An all-day "2027-01-15" is that day; noon UTC is that day in Amsterdam too.
const instant = (text) => new Date(isDate(text) ? text + "T12:00:00Z" : text);
const formats = new Map();
const format = (lang, options) => {
  const key = lang + JSON.stringify(options);
  if (!formats.has(key))
    formats.set(key, new Intl.DateTimeFormat(lang == "en" ? "en-GB" : "nl-NL", { timeZone: TZ, ...options }));
  return formats.get(key);
};

/** The Amsterdam day ("2027-01-15") of an API start or end, or of a Date. */
export function dayOf(value) {
  if (typeof value == "string" && isDate(value)) return value;
  const parts = {};
  const date = typeof value == "string" ? instant(value) : value;
  for (const { type, value: v } of format("en", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date))
    parts[type] = v;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Events (sorted by start) under their day; one still running from before `first` shows on `first`. */
export function groupByDay(events, first) {
  const groups = [];
  for (const event of events) {
    const start = dayOf(event.start);
    const day = start < first ? first : start;
    const last = groups[groups.length - 1];
    if (last && last.day == day) last.events.push(event);
    else groups.push({ day, events: [event] });
  }
  return groups;
}

/** "vandaag, woensdag 3 februari" / "Wednesday 3 February 2028" (the year only when it is not this year). */
export function dayLabel(day, lang, today) {
  const t = LABELS[lang];
  const options = { weekday: "long", day: "numeric", month: "long" };
  if (day.slice(0, 4) != today.slice(0, 4)) options.year = "numeric";
  const text = format(lang, options).format(instant(day));
  const near = day == today ? t.today : day == dayOf(new Date(+instant(today) + DAY)) ? t.tomorrow : "";
  return near ? `${near}, ${text}` : text;
}

/** The time of an event ("20:00–22:00", "hele dag", "t/m 31 mei"), with its day when `withDay`. */
export function whenLabel(event, lang, withDay) {
  const t = LABELS[lang];
  const parts = [];
  if (withDay) parts.push(format(lang, { weekday: "short", day: "numeric", month: "short" }).format(instant(event.start)));
  if (event.all_day) {
    if (event.end && event.end != event.start)
      parts.push(`${t.until} ${format(lang, { day: "numeric", month: "long" }).format(instant(event.end))}`);
    else if (!withDay) parts.push(t.allDay);
  } else {
    const time = format(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    let text = time.format(instant(event.start));
    if (event.end && dayOf(event.end) == dayOf(event.start)) text += "–" + time.format(instant(event.end));
    parts.push(text);
  }
  return parts.join(" ");
}

/** "Museum De Lakenhal, Leiden": the venue and its city, without saying the city twice. */
export function placeLabel(event) {
  const name = event.venue && event.venue.name;
  const city = (event.venue && event.venue.city) || event.city;
  return [...new Set([name, city].filter(Boolean))].join(", ");
}

export const priceLabel = (event, lang) => (event.is_free ? LABELS[lang].free : event.price || "");

/** schema.org Events as JSON, with "<" escaped so the text can never close its <script>. */
export function jsonLd(events, o) {
  const status = { cancelled: "EventCancelled", postponed: "EventPostponed" };
  const data = events.map((e) => ({
    "@context": "https://schema.org",
    "@type": "Event",
    name: e.title,
    startDate: e.start,
    endDate: e.end || undefined,
    eventStatus: "https://schema.org/" + (status[e.status] || "EventScheduled"),
    url: eventUrl(o, e.id),
    location: {
      "@type": "Place",
      name: (e.venue && e.venue.name) || e.city || undefined,
      address: { "@type": "PostalAddress", addressLocality: (e.venue && e.venue.city) || e.city || undefined },
    },
  }));
  return JSON.stringify(data).replace(/</g, "\\u003c");
}

const STYLE = `
:host{all:initial;display:block}
:host([hidden]){display:none}
.w{--a:var(--regio-accent,#0a58a8);--t:var(--regio-text,#1f1f1f);--m:var(--regio-muted,#575757);
--b:var(--regio-background,#fff);--r:var(--regio-radius,.5rem);--s:var(--regio-spacing,1rem);
font:1rem/1.45 var(--regio-font,system-ui,sans-serif);color:var(--t);background:var(--b);
padding:var(--s);border-radius:var(--r)}
@media (prefers-color-scheme:dark){.w{--a:var(--regio-accent,#9cc3ff);--t:var(--regio-text,#f1f1f1);
--m:var(--regio-muted,#c2c2c2);--b:var(--regio-background,#1d1d20)}}
ol{list-style:none;margin:0;padding:0}
p{margin:0}
.days{display:grid;gap:var(--s)}
.items{display:grid;gap:calc(var(--s)/2)}
[part=day]{font-weight:700;margin-bottom:calc(var(--s)/3)}
[part=day]::first-letter{text-transform:uppercase}
[part=item]{display:grid;gap:.1em}
a{color:var(--a);text-underline-offset:.15em}
a:focus-visible{outline:2px solid var(--a);outline-offset:2px}
[part=title]{font-weight:600}
.cancelled [part=title]{text-decoration:line-through}
[part=date],[part=venue],[part=price],[part=status]{color:var(--m);font-size:.9em}
[part=badge]{justify-self:start;font-size:.8em;font-weight:700;border:1px solid;border-radius:var(--r);padding:0 .4em}
.compact [part=item]{display:flex;flex-wrap:wrap;align-items:baseline;column-gap:.6em}
.compact [part=date]{order:-1;min-width:3.2em}
.compact .items{gap:.3em}
.cards .days{grid-template-columns:repeat(auto-fill,minmax(min(100%,14rem),1fr))}
.cards [part=item]{align-content:start;padding:var(--s);border:1px solid color-mix(in srgb,var(--m) 40%,transparent);border-radius:var(--r)}
.cards [part=date]{order:-1}
[part=picture]{order:-2;display:block;margin:calc(var(--s)*-1) calc(var(--s)*-1) 0}
[part=picture] img{display:block;width:100%;height:auto;aspect-ratio:3/2;object-fit:cover;border-radius:var(--r) var(--r) 0 0}
.more{margin-top:var(--s)}
`;

const h = (tag, attrs, ...children) => {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value != null) el.setAttribute(name, value);
  el.append(...children.filter(Boolean));
  return el;
};

// api url -> {etag, data, at}: memory only (no storage, no cookies), shared by the widgets
// of a page, as are requests under way: two widgets with the same filters ask once.
const answers = new Map();
const pending = new Map();

async function ask(url, known) {
  const response = await fetch(url, {
    credentials: "omit",
    headers: known && known.etag ? { "If-None-Match": known.etag } : {},
  });
  if (response.status == 304 && known) return { ...known, at: Date.now() };
  if (!response.ok) {
    // A 4xx is the snippet's fault (a problem document names the attribute); a 5xx an outage.
    const problem = (response.status == 400 && (await response.json().catch(() => null))) || {};
    throw Object.assign(new Error(problem.detail || ""), { status: response.status });
  }
  return { etag: response.headers.get("ETag"), data: await response.json(), at: Date.now() };
}

/** The known answer while fresh, else a promise of a new one (If-None-Match when one is known). */
function answer(url, force) {
  const known = answers.get(url);
  if (known && !force && Date.now() - known.at <= FRESH) return known;
  if (!pending.has(url))
    pending.set(url, ask(url, known).then((a) => (answers.set(url, a), a)).finally(() => pending.delete(url)));
  return pending.get(url);
}

let sheet;

export class RegioAgenda extends (globalThis.HTMLElement || class {}) {
  static observedAttributes = [...FILTERS, "api", "lang", "layout", "limit", "accent", "seo"];

  constructor() {
    super();
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(STYLE);
    this.attachShadow({ mode: "open" }).adoptedStyleSheets = [sheet];
    this.state = "loading";
  }

  connectedCallback() {
    this.update();
  }

  disconnectedCallback() {
    this.run = null;
  }

  attributeChangedCallback() {
    if (this.isConnected) this.update();
  }

  /** Render again soon: several attribute changes in one task make one render. */
  update() {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.load(false);
    });
  }

  /** Ask the agenda again now (If-None-Match: an unchanged agenda answers 304). */
  refresh() {
    return this.load(true);
  }

  async load(force) {
    const o = readOptions((name) => this.getAttribute(name), document.documentElement.lang);
    const url = apiUrl(o);
    const run = (this.run = {});
    let result = answer(url, force);
    if (result instanceof Promise) {
      if (!answers.has(url)) this.show(o, "loading");
      // When asking again fails, the answer known before is better than an error.
      result = await result.catch((failure) => answers.get(url) || { failure });
    }
    if (run != this.run) return;
    const failure = result.failure;
    // Only an outage (no answer, or a 5xx) is "cannot be loaded"; a 4xx tells the webmaster.
    this.problem = failure && failure.status >= 400 && failure.status < 500 ? failure : null;
    if (this.problem)
      console.error("regio-agenda: this widget is set up wrongly: " +
        (failure.message || LABELS.en.address + failure.status));
    this.show(o, failure ? "error" : result.data.events || []);
  }

  show(o, state) {
    const t = LABELS[o.lang];
    const events = Array.isArray(state) ? state : [];
    this.state = Array.isArray(state) ? (events.length ? "ready" : "empty") : state;
    const box = h("div", { class: "w " + o.layout, lang: o.lang, "aria-busy": state == "loading" ? "true" : null });
    const accent = this.getAttribute("accent");
    if (accent && CSS.supports("color", accent)) box.style.setProperty("--regio-accent", accent);
    if (!events.length)
      box.append(h("p", { part: "status", role: "status" },
        this.state == "error" && this.problem
          ? t.setup + (this.problem.message || t.address + this.problem.status)
          : t[this.state]));
    else {
      const cards = o.layout == "cards";
      const today = dayOf(new Date());
      const list = h("ol", { part: "list", class: "days", "aria-label": t.list });
      for (const group of cards ? [{ events }] : groupByDay(events, today)) {
        const items = group.events.map((e) => this.item(e, o, cards));
        if (cards) list.append(...items);
        else
          list.append(
            h("li", {},
              h("p", { part: "day" }, h("time", { datetime: group.day }, dayLabel(group.day, o.lang, today))),
              h("ol", { class: "items" }, ...items)));
      }
      box.append(list);
    }
    box.append(h("p", { class: "more" }, h("a", { part: "more", href: agendaUrl(o) }, t.more)));
    this.shadowRoot.replaceChildren(box);
    this.seo(events, o);
    this.dispatchEvent(new CustomEvent("regio-agenda:render", { bubbles: true, detail: { state: this.state, count: events.length } }));
  }

  item(e, o, cards) {
    const badge = /^(cancelled|postponed)$/.test(e.status) && LABELS[o.lang][e.status];
    const p = cards && e.picture;
    return h("li", { part: "item", class: e.status },
      // Cards show the agenda's own copy of the picture (or its drawing for the kind), sized.
      p && h("picture", { part: "picture" },
        p.webp_srcset && h("source", { type: "image/webp", srcset: p.webp_srcset, sizes: "20rem" }),
        h("img", { src: p.src, srcset: p.srcset || null, sizes: "20rem", width: p.width, height: p.height, alt: "", loading: "lazy", decoding: "async" })),
      h("a", { part: "title", href: eventUrl(o, e.id) }, e.title),
      badge && h("span", { part: "badge" }, badge),
      h("p", { part: "date" }, h("time", { datetime: e.start }, whenLabel(e, o.lang, cards))),
      placeLabel(e) && h("p", { part: "venue" }, placeLabel(e)),
      priceLabel(e, o.lang) && h("p", { part: "price" }, priceLabel(e, o.lang)));
  }

  /** With `seo`: the shown events as schema.org JSON-LD in the host page (data, never run). */
  seo(events, o) {
    let script = this.querySelector(":scope > script[data-regio-agenda]");
    if (!this.hasAttribute("seo") || !events.length) return script && script.remove();
    if (!script) {
      script = h("script", { type: "application/ld+json", "data-regio-agenda": "" });
      this.append(script);
    }
    script.textContent = jsonLd(events, o);
  }
}

if (globalThis.customElements && !customElements.get("regio-agenda"))
  customElements.define("regio-agenda", RegioAgenda);
