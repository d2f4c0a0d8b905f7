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
  // An import in progress (data-poll="status URL") shows its progress; the page reloads once its status changes.
  var poll = document.body.querySelector("[data-poll]");
  if (poll && window.fetch) {
    var check = function () {
      fetch(poll.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (state.status !== poll.getAttribute("data-status")) {
            window.location.reload();
            return;
          }
          poll.querySelector("[data-progress]").value = state.percent;
          poll.querySelector("[data-percent]").textContent = state.percent;
          setTimeout(check, 2000);
        })
        .catch(function () { setTimeout(check, 5000); });
    };
    setTimeout(check, 1000);
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
