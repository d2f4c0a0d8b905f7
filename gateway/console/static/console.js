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
  // Grid pickers (data-grid-picker): typing a name lists the matching grids of the user's scope as buttons; picking
  // one fills the hidden id and shows its path (data-multi: adds a ticked checkbox instead). Works by touch.
  Array.prototype.forEach.call(document.querySelectorAll("[data-grid-picker]"), function (picker) {
    var input = picker.querySelector("[data-grid-name]");
    var results = picker.querySelector("[data-grid-results]");
    var multi = picker.getAttribute("data-multi");
    var hidden = picker.querySelector("[data-grid-id]");
    var path = picker.querySelector("[data-grid-path]");
    var timer = null;
    var latest = "";
    if (!input || !results || !window.fetch) { return; }
    var choose = function (grid) {
      results.hidden = true;
      results.textContent = "";
      if (multi) {
        var chosen = picker.querySelector("[data-grid-chosen]");
        var listed = chosen.querySelector('input[type=checkbox][value="' + grid.id + '"]');
        var browsed = picker.querySelector('.grid-browse input[type=checkbox][value="' + grid.id + '"]');
        if (browsed) { browsed.closest("li").remove(); }  // shown among the chosen instead, not ticked out of sight
        if (listed) {
          listed.checked = true;
        } else {
          var item = document.createElement("li");
          var label = document.createElement("label");
          var box = document.createElement("input");
          var where = document.createElement("span");
          label.className = "grid-choice";
          box.type = "checkbox";
          box.name = multi;
          box.value = grid.id;
          box.checked = true;
          where.className = "muted";
          where.textContent = grid.path;
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + grid.name + " "));
          label.appendChild(where);
          item.appendChild(label);
          chosen.appendChild(item);
        }
        input.value = "";
        picker.dispatchEvent(new Event("change", { bubbles: true }));  // the composer's example follows the audience
      } else {
        hidden.value = grid.id;
        input.value = grid.name;
        path.textContent = grid.path;
      }
      input.focus();
    };
    var show = function (items) {
      results.textContent = "";
      items.forEach(function (grid) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        var where = document.createElement("span");
        button.type = "button";
        button.className = "secondary grid-option";
        button.textContent = grid.name + " ";
        where.className = "muted";
        where.textContent = grid.path;
        button.appendChild(where);
        button.addEventListener("click", function () { choose(grid); });
        item.appendChild(button);
        results.appendChild(item);
      });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = picker.getAttribute("data-none") || "—";
        results.appendChild(none);
      }
      results.hidden = false;
    };
    var find = function () {
      var text = input.value.trim();
      latest = text;
      if (!text) { results.hidden = true; return; }
      fetch(picker.getAttribute("data-find") + "?q=" + encodeURIComponent(text),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { if (text === latest) { show(data.items); } })
        .catch(function () { results.hidden = true; });
    };
    input.addEventListener("input", function () {
      if (hidden) { hidden.value = ""; path.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(find, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !results.hidden) {
        var first = results.querySelector("button");
        if (first) { event.preventDefault(); first.click(); }
      }
    });
  });
  // Buttons with data-confirm ask before their form is sent (cancel, launch).
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
