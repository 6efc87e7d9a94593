// The iframe page (/widgets/embed): tells the parent page how tall it is, on every render and
// resize, so a few lines on the host can size the iframe to fit (no scrollbars, no fixed height).
const send = () =>
  parent.postMessage(
    { type: "regio-agenda:height", height: Math.ceil(document.documentElement.getBoundingClientRect().height) },
    "*",
  );
new ResizeObserver(send).observe(document.body);
addEventListener("regio-agenda:render", send);
