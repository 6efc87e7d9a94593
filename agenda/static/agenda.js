// Regio-agenda pages: progressive enhancement only; every page works without it.
// Copy buttons on the subscribe page: the buttons are rendered hidden and shown here,
// so visitors without JavaScript select the address themselves.
(function () {
  "use strict";

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value).then(
        function () { return true; },
        function () { return fallbackCopy(input); }
      );
    }
    return Promise.resolve(fallbackCopy(input));
  }

  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(input).then(function (ok) {
        if (status) {
          status.textContent = ok ? button.getAttribute("data-done") : button.getAttribute("data-failed");
        }
        if (!ok) {
          input.focus();
          input.select();
        }
      });
    });
  });

  // Selecting the whole address on focus makes copying by hand one step shorter.
  var fields = document.querySelectorAll("input.feed-url");
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
