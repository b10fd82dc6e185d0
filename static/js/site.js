// Progressive enhancement for the server-rendered pages (loaded with `defer`, no inline script).
// Every page works without it; with it:
// - a form or submit button with data-confirm="…" asks before an irreversible action;
// - a length picker with data-lengths-for="<mode field>" offers only the lengths that mode accepts.
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
})();
