// The configurator at /widgets: its form drives the live preview (the element itself) and the
// snippets to copy. snippet() and frame() write exactly what widgets/payload.py writes for the
// same form (a browser test compares them): change both together.

const FILTERS = ["city", "venue", "theme", "category", "audience", "kind", "q", "free"];
const LAYOUTS = ["list", "compact", "cards"];
const form = document.getElementById("configure");
const preview = document.getElementById("preview");
const status = document.getElementById("copy-status");
const { base, origin, pageLang, defaultAccent } = form.dataset;
const labels = JSON.parse(form.dataset.labels);

const attr = (value) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const query = (pairs) => {
  const text = new URLSearchParams(pairs).toString();
  return text ? "?" + text : "";
};

/** The widget's options from the form, read as widgets.payload.options_from_query reads them. */
function options() {
  const data = new FormData(form);
  const get = (name) => String(data.get(name) || "");
  const filters = [];
  for (const name of FILTERS) {
    const value = get(name).trim().split(/\s+/).join(" ").slice(0, 100);
    if (value) filters.push([name, value]);
  }
  const limit = /^\s*[-+]?\d+\s*$/.test(get("limit")) ? parseInt(get("limit"), 10) : 0;
  const lang = get("language").toLowerCase();
  const accent = get("accent").toLowerCase();
  return {
    filters,
    limit: limit ? Math.min(50, Math.max(1, limit)) : 5,
    lang: lang == "nl" || lang == "en" ? lang : pageLang,
    layout: LAYOUTS.includes(get("layout")) ? get("layout") : "list",
    accent: /^#([0-9a-f]{3}|[0-9a-f]{6})$/.test(accent) && accent != defaultAccent ? accent : null,
    seo: ["1", "true", "on", "yes"].includes(get("seo").toLowerCase()),
  };
}

const presentation = (o) => [["limit", String(o.limit)], ["lang", o.lang], ["layout", o.layout]];
const attributes = (o) => [
  ...o.filters,
  ...presentation(o),
  ...(o.accent ? [["accent", o.accent]] : []),
  ...(o.seo ? [["seo", null]] : []),
];
const agendaUrl = (o) => base + query([...o.filters, ["lang", o.lang]]);
const embedUrl = (o) =>
  base + "widgets/embed" + query([...o.filters, ...presentation(o), ...(o.accent ? [["accent", o.accent]] : [])]);

function snippet(o) {
  const attrs = attributes(o)
    .map(([name, value]) => (value == null ? ` ${name}` : ` ${name}="${attr(value)}"`))
    .join("");
  return (
    `<script type="module" src="${attr(base)}widgets/regio-agenda.js"></script>\n` +
    `<regio-agenda${attrs}>\n` +
    `  <a href="${attr(agendaUrl(o))}">${attr(labels[o.lang].more)}</a>\n` +
    "</regio-agenda>"
  );
}

function frame(o) {
  return (
    `<iframe src="${attr(embedUrl(o))}" title="${attr(labels[o.lang].frame_title)}"` +
    ' style="width: 100%; height: 30rem; border: 0" loading="lazy"></iframe>\n' +
    "<script>\n" +
    '  addEventListener("message", (event) => {\n' +
    `    if (event.origin !== "${attr(origin)}" || event.data?.type !== "regio-agenda:height") return;\n` +
    '    for (const frame of document.querySelectorAll("iframe")) {\n' +
    "      if (frame.contentWindow === event.source) {\n" +
    '        frame.style.height = event.data.height + "px";\n' +
    "      }\n" +
    "    }\n" +
    "  });\n" +
    "</script>"
  );
}

function update() {
  const o = options();
  const wanted = new Map(attributes(o));
  for (const name of [...FILTERS, "limit", "lang", "layout", "accent", "seo"]) {
    const value = wanted.get(name) ?? "";
    if (!wanted.has(name)) preview.removeAttribute(name);
    else if (preview.getAttribute(name) !== value) preview.setAttribute(name, value);
  }
  document.getElementById("snippet").value = snippet(o);
  document.getElementById("iframe-snippet").value = frame(o);
  // The address keeps the choices, so a reload or a shared link shows the same widget.
  const params = new URLSearchParams([["lang", pageLang]]);
  for (const [name, value] of new FormData(form))
    if (value && name != "lang" && !(name == "accent" && value == defaultAccent)) params.append(name, value);
  history.replaceState(null, "", "?" + params);
  status.textContent = "";
}

let timer;
form.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(update, 300); // typing a venue id asks the agenda once, not per key
});
form.addEventListener("change", () => {
  clearTimeout(timer);
  update();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  update();
});
form.querySelector(".apply").hidden = true;

for (const button of document.querySelectorAll("[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const area = document.getElementById(button.dataset.copy);
    area.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(area.value);
      copied = true;
    } catch {
      copied = document.execCommand("copy");
    }
    status.textContent = copied ? status.dataset.copied : status.dataset.failed;
  });
}
