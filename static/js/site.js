// The pages' small behaviours. The Content-Security-Policy allows scripts from this site only (no
// inline <script>, no onclick=""), so the templates mark elements with data attributes and ids,
// and this file, loaded with `defer` on every page, wires them up. Every page works without it;
// with it:
// - a form or submit button with data-confirm="…" asks before an irreversible action;
// - a length picker with data-lengths-for="<mode field>" offers only the lengths that mode accepts;
// - the sign-up, profile, queue, booking and share pages get their helpers (below).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function modeOf(form, name) {
    var field = form.elements[name];
    if (!field) return "";
    if (field.length !== undefined && field.tagName !== "SELECT") {
      for (var i = 0; i < field.length; i++) if (field[i].checked) return field[i].value;
      return "";
    }
    return field.value;
  }

  document.querySelectorAll("select[data-lengths-for]").forEach(function (select) {
    var form = select.form;
    var name = select.getAttribute("data-lengths-for");
    var lengths = JSON.parse(select.getAttribute("data-lengths"));
    function update() {
      var allowed = lengths[modeOf(form, name)] || lengths["*"];
      var firstAllowed = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var ok = option.value === "" || allowed.indexOf(Number(option.value)) !== -1;
        option.disabled = !ok;
        option.hidden = !ok;
        if (ok && firstAllowed === null) firstAllowed = option;
      });
      if (select.selectedOptions.length && select.selectedOptions[0].disabled && firstAllowed) {
        select.value = firstAllowed.value;
      }
    }
    if (form) {
      form.addEventListener("change", function (event) {
        if (event.target.name === name) update();
      });
    }
    update();
  });

  var browserZone = function () {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  };

  // Sign-up: fill the hidden time zone field with the zone this browser is in.
  var zoneField = document.querySelector('input[type="hidden"][name="time_zone"]');
  if (zoneField && !zoneField.value) zoneField.value = browserZone() || "UTC";


  // A read-only field whose text is selected on click, ready to copy: <input data-select-on-click>.
  document.querySelectorAll("[data-select-on-click]").forEach(function (input) {
    input.addEventListener("click", function () {
      input.select();
    });
  });

  // A button that copies a field: <button data-copy="#field-id">.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) return;
      input.select();
      var done = function () {
        button.textContent = "Copied";
      };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () {});
      else {
        document.execCommand("copy");
        done();
      }
    });
  });

  // Profile: offer the browser's time zone, and allow at most five focus problems.
  var profile = document.getElementById("profile-form");
  if (profile) {
    var zone = browserZone();
    var select = profile.querySelector("#id_time_zone");
    var note = profile.querySelector("#tz-detected");
    if (zone && select && note && select.value !== zone) {
      note.textContent = "This browser is in " + zone + ". ";
      var use = document.createElement("button");
      use.type = "button";
      use.className = "link";
      use.textContent = "Use it";
      use.addEventListener("click", function () {
        select.value = zone;
      });
      note.appendChild(use);
    }
    var boxes = profile.querySelectorAll('input[name="focus_problems"]');
    var limit = function () {
      var ticked = Array.prototype.filter.call(boxes, function (b) {
        return b.checked;
      }).length;
      boxes.forEach(function (b) {
        b.disabled = !b.checked && ticked >= 5;
      });
    };
    boxes.forEach(function (b) {
      b.addEventListener("change", limit);
    });
    limit();
  }

  // Queue: reveal one more availability window at a time.
  var more = document.getElementById("more-windows");
  if (more) {
    var update = function () {
      more.hidden = !document.querySelector(".window-input[hidden]");
    };
    more.addEventListener("click", function () {
      var next = document.querySelector(".window-input[hidden]");
      if (next) {
        next.hidden = false;
        next.querySelector("input").focus();
      }
      update();
    });
    update();
  }

  // Booking: a suggested time fills the reschedule form.
  document.querySelectorAll("#reschedule [data-day]").forEach(function (chip) {
    chip.addEventListener("click", function () {
      document.getElementById("id_day").value = chip.getAttribute("data-day");
      document.getElementById("id_start_time").value = chip.getAttribute("data-time");
      document.getElementById("id_reason").focus();
    });
  });
})();
