// Starts Swagger UI on /schema (a file, not an inline script: the app's CSP allows 'self' only).
"use strict";
(function () {
  var root = document.getElementById("docs");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true,
  });
})();
