// Gridcast console: a little progressive enhancement, nothing the pages need to work.
(function () {
  "use strict";
  // Pages marked data-refresh="seconds" reload themselves while something is in progress (run progress, phone).
  var refresh = document.body.querySelector("[data-refresh]");
  if (refresh) {
    var seconds = parseInt(refresh.getAttribute("data-refresh"), 10) || 5;
    setTimeout(function () {
      if (!document.activeElement || ["INPUT", "TEXTAREA", "SELECT"].indexOf(document.activeElement.tagName) < 0) {
        window.location.reload();
      }
    }, seconds * 1000);
  }
  // Buttons with data-confirm ask before their form is sent (cancel, launch).
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
